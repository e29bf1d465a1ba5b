import {
  Alert,
  Button,
  ButtonRow,
  Flex,
  Heading,
  NumberInput,
  SearchInput,
  Select,
  Table,
  TableBody,
  TableCell,
  TableRow,
  Text,
  Tile,
  useDebounce,
} from '@hubspot/ui-extensions';
import { useState } from 'react';
import type { CardApi } from '../api.ts';
import { ErrorPanel, LoadingState } from '../common/RemoteStates.tsx';
import { useRemoteData } from '../common/useRemoteData.ts';
import type { PartnerRef } from '../vendor/shared/api/index.ts';
import { type Motion, motionOptions, type Role, roleOptions } from './labels.ts';

// The rep's picker: search partners by name, pick one, say how it touched the deal, save.

export type TagDraft = {
  /** One idempotency key per attempt of this user action, kept across a retry. */
  readonly key: string;
  readonly partner: PartnerRef | null;
  readonly role: Role;
  readonly motion: Motion;
  /** Percent (0–100) for the explicit-split model; undefined = the model decides. */
  readonly sharePercent: number | undefined;
};

export function AddPartnerForm({
  api,
  draft,
  taggedPartnerIds,
  failure,
  onChange,
  onSubmit,
  onCancel,
}: {
  api: Pick<CardApi, 'searchPartners'>;
  draft: TagDraft;
  taggedPartnerIds: ReadonlySet<string>;
  /** Why the last attempt failed, shown until the user tries again. */
  failure: string | null;
  onChange: (draft: TagDraft) => void;
  onSubmit: (draft: TagDraft) => void;
  onCancel: () => void;
}) {
  const [query, setQuery] = useState('');
  const debounced = useDebounce(query, 250);
  const search = useRemoteData(`partners:${debounced}`, () =>
    api.searchPartners({ q: debounced, limit: 8 }),
  );

  return (
    <Tile testId="add-partner-form">
      <Flex direction="column" gap="sm">
        <Heading>Tag a partner</Heading>
        {failure === null ? null : (
          <Alert title="The partner was not tagged" variant="danger" testId="add-partner-failure">
            {failure}
          </Alert>
        )}
        <SearchInput
          name="partnerSearch"
          label="Find a partner"
          placeholder="Partner name"
          value={query}
          onInput={setQuery}
          onChange={setQuery}
          testId="partner-search"
        />
        {search.state.status === 'loading' ? (
          <LoadingState label="Searching partners" testId="partner-search-loading" />
        ) : search.state.status === 'error' ? (
          <ErrorPanel
            what="Could not search partners"
            error={search.state.error}
            onRetry={search.reload}
            testId="partner-search-error"
          />
        ) : search.state.data.partners.length === 0 ? (
          <Text testId="partner-search-empty">
            {debounced.trim() === ''
              ? 'No partners yet: partner companies appear here once they are marked as partners.'
              : `No partner matches “${debounced.trim()}”.`}
          </Text>
        ) : (
          <Table bordered={false} density="compact" testId="partner-search-results">
            <TableBody>
              {search.state.data.partners.map((partner) => {
                const tagged = taggedPartnerIds.has(partner.id);
                const selected = draft.partner?.id === partner.id;
                return (
                  <TableRow key={partner.id}>
                    <TableCell>
                      <Text format={{ fontWeight: 'demibold' }}>{partner.name}</Text>
                      <Text variant="microcopy">{`${partner.type} · ${partner.subtype} · ${partner.tierName}`}</Text>
                    </TableCell>
                    <TableCell align="right">
                      <Button
                        size="sm"
                        variant={selected ? 'primary' : 'secondary'}
                        disabled={tagged}
                        onClick={() => onChange({ ...draft, partner })}
                        testId={`select-partner-${partner.id}`}
                      >
                        {tagged ? 'Already tagged' : selected ? 'Selected' : 'Select'}
                      </Button>
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        )}
        <Flex direction="row" gap="sm" wrap>
          <Select
            name="role"
            label="Role"
            value={draft.role}
            options={[...roleOptions]}
            onChange={(value) => onChange({ ...draft, role: value as Role })}
            testId="tag-role"
          />
          <Select
            name="motion"
            label="Motion"
            value={draft.motion}
            options={[...motionOptions]}
            onChange={(value) => onChange({ ...draft, motion: value as Motion })}
            testId="tag-motion"
          />
          <NumberInput
            name="share"
            label="Share (%)"
            description="Only for the explicit-split attribution model; leave empty otherwise."
            min={0}
            max={100}
            precision={2}
            {...(draft.sharePercent === undefined ? {} : { value: draft.sharePercent })}
            onChange={(value) =>
              onChange({ ...draft, sharePercent: Number.isFinite(value) ? value : undefined })
            }
            testId="tag-share"
          />
        </Flex>
        <ButtonRow>
          <Button
            variant="primary"
            disabled={draft.partner === null}
            onClick={() => onSubmit(draft)}
            testId="tag-submit"
          >
            {draft.partner === null ? 'Pick a partner' : `Tag ${draft.partner.name}`}
          </Button>
          <Button variant="secondary" onClick={onCancel} testId="tag-cancel">
            Cancel
          </Button>
        </ButtonRow>
      </Flex>
    </Tile>
  );
}
