import { Button, ButtonRow, Flex, NumberInput, Select, Tile } from '@hubspot/ui-extensions';
import { useState } from 'react';
import type { TagRow } from './deal-view-changes.ts';
import {
  type Motion,
  motionOptions,
  percentFromFraction,
  type Role,
  roleOptions,
} from './labels.ts';

// Changing a tag's role, motion or explicit share.

export type TagChange = { role: Role; motion: Motion; sharePercent: number | undefined };

export function EditTagForm({
  row,
  onSave,
  onCancel,
}: {
  row: TagRow;
  onSave: (change: TagChange) => void;
  onCancel: () => void;
}) {
  const [role, setRole] = useState<Role>(row.role);
  const [motion, setMotion] = useState<Motion>(row.motion);
  const [sharePercent, setSharePercent] = useState(percentFromFraction(row.share));
  return (
    <Tile testId={`edit-tag-form-${row.id}`}>
      <Flex direction="row" gap="sm" wrap>
        <Select
          name="editRole"
          label={`Role of ${row.partner.name}`}
          value={role}
          options={[...roleOptions]}
          onChange={(value) => setRole(value as Role)}
          testId="edit-tag-role"
        />
        <Select
          name="editMotion"
          label="Motion"
          value={motion}
          options={[...motionOptions]}
          onChange={(value) => setMotion(value as Motion)}
          testId="edit-tag-motion"
        />
        <NumberInput
          name="editShare"
          label="Share (%)"
          min={0}
          max={100}
          precision={2}
          {...(sharePercent === undefined ? {} : { value: sharePercent })}
          onChange={(value) => setSharePercent(Number.isFinite(value) ? value : undefined)}
          testId="edit-tag-share"
        />
      </Flex>
      <ButtonRow>
        <Button
          variant="primary"
          onClick={() => onSave({ role, motion, sharePercent })}
          testId="edit-tag-save"
        >
          Save
        </Button>
        <Button variant="secondary" onClick={onCancel} testId="edit-tag-cancel">
          Cancel
        </Button>
      </ButtonRow>
    </Tile>
  );
}
