import {
  type AddAlertAction,
  Button,
  ButtonRow,
  Flex,
  Heading,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
  Toggle,
} from '@hubspot/ui-extensions';
import { useState } from 'react';
import type { DryRunView, ObjectFieldsView, SyncMappingsView } from '../admin-contract.ts';
import type { SettingsApi } from '../api.ts';
import type { UiError } from '../common/api-client.ts';
import { ErrorPanel, LoadingState } from '../common/RemoteStates.tsx';
import { useRemoteData } from '../common/useRemoteData.ts';
import {
  type ConflictPolicy,
  conflictPolicies,
  type FieldMapping,
  type MappedObjectKind,
  type MappingDocument,
  type SyncDirection,
  syncDirections,
} from '../vendor/shared/sync-mapping.ts';
import { SaveErrors } from './SaveErrors.tsx';

// Which fields sync between HubSpot and Salesforce, per object pair: field pairs picked from the
// portal's real properties and the org's real fields, a direction and a conflict policy each.
// A change is saved only after its dry run has shown what it would write.

const objectPairs: readonly { kind: MappedObjectKind; label: string }[] = [
  { kind: 'deal', label: 'Deal ↔ Opportunity' },
  { kind: 'partner', label: 'Partner company ↔ partner Account' },
  { kind: 'customer', label: 'Customer company ↔ Account' },
];

const directionLabels: Record<SyncDirection, string> = {
  both: 'Both ways',
  hubspot_to_salesforce: 'HubSpot → Salesforce',
  salesforce_to_hubspot: 'Salesforce → HubSpot',
};

const policyLabels: Record<ConflictPolicy, string> = {
  most_recent: 'Most recent wins',
  hubspot_wins: 'HubSpot wins',
  salesforce_wins: 'Salesforce wins',
  prefer_hubspot_unless_blank: 'HubSpot unless blank',
  prefer_salesforce_unless_blank: 'Salesforce unless blank',
};

const simpleTransforms = ['text', 'number', 'boolean', 'datetime', 'domain'] as const;

function withFields(
  document: MappingDocument,
  kind: MappedObjectKind,
  change: (fields: FieldMapping[]) => FieldMapping[],
): MappingDocument {
  return {
    ...document,
    objects: document.objects.map((object) =>
      object.kind === kind ? { ...object, fields: change(object.fields) } : object,
    ),
  };
}

function FieldPairs({
  kind,
  document,
  fields,
  readOnly,
  onChange,
}: {
  kind: MappedObjectKind;
  document: MappingDocument;
  fields: ObjectFieldsView;
  readOnly: boolean;
  onChange: (document: MappingDocument) => void;
}) {
  const object = document.objects.find((o) => o.kind === kind);
  if (object === undefined) return <Text>This object pair is not mapped.</Text>;
  const hubspotOptions = fields.hubspot.properties.map((p) => ({
    label: `${p.label} (${p.name})${p.readOnly ? ', read-only' : ''}`,
    value: p.name,
  }));
  const salesforceOptions = fields.salesforce.fields.map((f) => ({
    label: `${f.label} (${f.name})${f.updateable ? '' : ', read-only'}`,
    value: f.name,
  }));
  const set = (index: number, patch: Partial<FieldMapping>) =>
    onChange(
      withFields(document, kind, (all) =>
        all.map((field, i) => (i === index ? { ...field, ...patch } : field)),
      ),
    );
  return (
    <Flex direction="column" gap="sm">
      <Toggle
        name={`enabled-${kind}`}
        label="Sync this object pair"
        checked={object.enabled}
        readOnly={readOnly}
        onChange={(enabled) =>
          onChange({
            ...document,
            objects: document.objects.map((o) => (o.kind === kind ? { ...o, enabled } : o)),
          })
        }
        testId="mapping-enabled"
      />
      <Table bordered density="compact" testId="mapping-fields">
        <TableHead>
          <TableRow>
            <TableHeader>HubSpot property</TableHeader>
            <TableHeader>Salesforce field</TableHeader>
            <TableHeader>Values</TableHeader>
            <TableHeader>Direction</TableHeader>
            <TableHeader>When both changed</TableHeader>
            <TableHeader> </TableHeader>
          </TableRow>
        </TableHead>
        <TableBody>
          {object.fields.map((field, index) => (
            <TableRow
              key={`${field.hubspot}:${field.salesforce}:${String(index)}`}
              testId={`mapping-row-${index}`}
            >
              <TableCell>
                <Select
                  name={`hubspot-${index}`}
                  label="HubSpot property"
                  readOnly={readOnly}
                  value={field.hubspot}
                  options={hubspotOptions}
                  onChange={(value) => set(index, { hubspot: String(value) })}
                  testId={`mapping-hubspot-${index}`}
                />
              </TableCell>
              <TableCell>
                <Select
                  name={`salesforce-${index}`}
                  label="Salesforce field"
                  readOnly={readOnly}
                  value={field.salesforce}
                  options={salesforceOptions}
                  onChange={(value) => set(index, { salesforce: String(value) })}
                  testId={`mapping-salesforce-${index}`}
                />
              </TableCell>
              <TableCell>
                {(simpleTransforms as readonly string[]).includes(field.transform.kind) ? (
                  <Select
                    name={`transform-${index}`}
                    label="Values"
                    readOnly={readOnly}
                    value={field.transform.kind}
                    options={simpleTransforms.map((t) => ({ label: t, value: t }))}
                    onChange={(value) =>
                      set(index, {
                        transform: { kind: value as (typeof simpleTransforms)[number] },
                      })
                    }
                    testId={`mapping-transform-${index}`}
                  />
                ) : (
                  <Text variant="microcopy">{field.transform.kind.replace(/_/g, ' ')}</Text>
                )}
              </TableCell>
              <TableCell>
                <Select
                  name={`direction-${index}`}
                  label="Direction"
                  readOnly={readOnly}
                  value={field.direction}
                  options={syncDirections.map((d) => ({ label: directionLabels[d], value: d }))}
                  onChange={(value) => set(index, { direction: value as SyncDirection })}
                  testId={`mapping-direction-${index}`}
                />
              </TableCell>
              <TableCell>
                <Select
                  name={`policy-${index}`}
                  label="Policy"
                  readOnly={readOnly}
                  value={field.policy}
                  options={conflictPolicies.map((p) => ({ label: policyLabels[p], value: p }))}
                  onChange={(value) => set(index, { policy: value as ConflictPolicy })}
                  testId={`mapping-policy-${index}`}
                />
              </TableCell>
              <TableCell>
                {readOnly ? null : (
                  <Button
                    size="sm"
                    variant="transparent"
                    onClick={() =>
                      onChange(
                        withFields(document, kind, (all) => all.filter((_, i) => i !== index)),
                      )
                    }
                    testId={`mapping-remove-${index}`}
                  >
                    Remove
                  </Button>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {readOnly ? null : (
        <Button
          size="sm"
          onClick={() => {
            const hubspot = fields.hubspot.properties.find(
              (p) => !p.readOnly && !object.fields.some((f) => f.hubspot === p.name),
            );
            const salesforce = fields.salesforce.fields.find(
              (f) => f.updateable && !object.fields.some((g) => g.salesforce === f.name),
            );
            if (hubspot === undefined || salesforce === undefined) return;
            onChange(
              withFields(document, kind, (all) => [
                ...all,
                {
                  hubspot: hubspot.name,
                  salesforce: salesforce.name,
                  transform: { kind: 'text' },
                  direction: 'both',
                  policy: 'most_recent',
                },
              ]),
            );
          }}
          testId="mapping-add"
        >
          Add a field pair
        </Button>
      )}
    </Flex>
  );
}

function DryRunResult({ dryRun }: { dryRun: DryRunView }) {
  return (
    <Flex direction="column" gap="xs" testId="dry-run">
      <Heading>What saving would write</Heading>
      <Text testId="dry-run-summary">
        {`From ${dryRun.sampled} of ${dryRun.records} linked records read now: ${dryRun.writes.hubspot} HubSpot and ${dryRun.writes.salesforce} Salesforce field writes.`}
      </Text>
      {dryRun.byField.length === 0 ? null : (
        <Table density="compact" testId="dry-run-fields">
          <TableBody>
            {dryRun.byField.map((entry) => (
              <TableRow key={`${entry.side}:${entry.field}`}>
                <TableCell>
                  {entry.side === 'hubspot'
                    ? `HubSpot ${entry.field}`
                    : `Salesforce ${entry.field}`}
                </TableCell>
                <TableCell align="right">{`${entry.writes} write${entry.writes === 1 ? '' : 's'}`}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {dryRun.examples.slice(0, 5).flatMap((example) =>
        example.changes.map((change) => (
          <Text key={`${example.hubspotId}:${change.hubspotField}`} variant="microcopy">
            {`${example.kind} ${example.hubspotId} / ${example.salesforceId}: ${change.explanation}`}
          </Text>
        )),
      )}
    </Flex>
  );
}

type Stage =
  | { kind: 'editing' }
  | { kind: 'dry_run'; dryRun: DryRunView }
  | { kind: 'failed'; title: string; error: UiError };

function MappingEditor({
  view,
  api,
  addAlert,
  canEdit,
  onSaved,
}: {
  view: SyncMappingsView;
  api: Pick<SettingsApi, 'objectFields' | 'dryRun' | 'saveMappings'>;
  addAlert: AddAlertAction;
  canEdit: boolean;
  onSaved: () => void;
}) {
  const [kind, setKind] = useState<MappedObjectKind>('deal');
  const [document, setDocument] = useState<MappingDocument>(view.document);
  const [stage, setStage] = useState<Stage>({ kind: 'editing' });
  const [busy, setBusy] = useState(false);
  const fields = useRemoteData(`fields:${kind}`, () => api.objectFields(kind));

  const edit = (next: MappingDocument) => {
    setDocument(next);
    // A dry run shows one draft: any change needs a new one before saving.
    setStage({ kind: 'editing' });
  };

  async function runDryRun(): Promise<void> {
    setBusy(true);
    const result = await api.dryRun(document);
    setBusy(false);
    setStage(
      result.ok
        ? { kind: 'dry_run', dryRun: result.data }
        : { kind: 'failed', title: 'The dry run failed', error: result.error },
    );
  }

  async function save(): Promise<void> {
    setBusy(true);
    const result = await api.saveMappings({ document, baseVersion: view.version });
    setBusy(false);
    if (!result.ok) {
      setStage({ kind: 'failed', title: 'The mapping was not saved', error: result.error });
      return;
    }
    addAlert({
      type: 'success',
      message: `Mapping version ${result.data.version} saved; ${result.data.backfillQueued} linked records are being synced again with it.`,
    });
    onSaved();
  }

  return (
    <Flex direction="column" gap="sm" testId="mapping-editor">
      <Select
        name="objectPair"
        label="Object pair"
        value={kind}
        options={objectPairs.map((pair) => ({ label: pair.label, value: pair.kind }))}
        onChange={(value) => setKind(value as MappedObjectKind)}
        testId="mapping-object"
      />
      {fields.state.status === 'loading' ? (
        <LoadingState
          label="Reading the HubSpot properties and Salesforce fields"
          testId="mapping-fields-loading"
        />
      ) : fields.state.status === 'error' ? (
        <ErrorPanel
          what="Could not read the properties and fields"
          error={fields.state.error}
          onRetry={fields.reload}
          testId="mapping-fields-error"
        />
      ) : (
        <FieldPairs
          kind={kind}
          document={document}
          fields={fields.state.data}
          readOnly={!canEdit}
          onChange={edit}
        />
      )}
      {canEdit ? (
        <ButtonRow>
          <Button disabled={busy} onClick={runDryRun} testId="mapping-dry-run">
            Preview the changes (dry run)
          </Button>
          <Button
            variant="primary"
            disabled={busy || stage.kind !== 'dry_run'}
            onClick={save}
            testId="mapping-save"
          >
            Save and sync again
          </Button>
        </ButtonRow>
      ) : (
        <Text variant="microcopy">Only Partnerbridge admins can change the mapping.</Text>
      )}
      {stage.kind === 'dry_run' ? <DryRunResult dryRun={stage.dryRun} /> : null}
      {stage.kind === 'failed' ? (
        <SaveErrors title={stage.title} error={stage.error} testId="mapping-errors" />
      ) : null}
    </Flex>
  );
}

export function MappingsPanel({
  api,
  addAlert,
  canEdit,
}: {
  api: Pick<SettingsApi, 'mappings' | 'objectFields' | 'dryRun' | 'saveMappings'>;
  addAlert: AddAlertAction;
  canEdit: boolean;
}) {
  const mappings = useRemoteData('mappings', () => api.mappings());
  const state = mappings.state;
  if (state.status === 'loading')
    return <LoadingState label="Loading the sync mapping" testId="mappings-loading" />;
  if (state.status === 'error') {
    return (
      <ErrorPanel
        what="Could not load the sync mapping"
        error={state.error}
        onRetry={mappings.reload}
        testId="mappings-error"
      />
    );
  }
  const view = state.data;
  return (
    <Flex direction="column" gap="md" testId="mappings">
      <Text testId="mappings-version">
        {view.version === 0
          ? 'The default mapping is in force (never changed).'
          : `Version ${view.version} is in force${view.versions[0] === undefined ? '' : `, saved by ${view.versions[0].createdBy} on ${view.versions[0].createdAt.slice(0, 10)}`}.`}
      </Text>
      <MappingEditor
        key={view.version}
        view={view}
        api={api}
        addAlert={addAlert}
        canEdit={canEdit}
        onSaved={mappings.reload}
      />
    </Flex>
  );
}
