import { Alert, List, Text } from '@hubspot/ui-extensions';
import type { UiError } from '../common/api-client.ts';

// Why the server refused a save: its message and, for validation errors, each field it names.

export function SaveErrors({
  title,
  error,
  testId,
}: {
  title: string;
  error: UiError;
  testId: string;
}) {
  const issues = error.kind === 'server' ? error.issues : [];
  return (
    <Alert title={title} variant="danger" testId={testId}>
      <Text testId={`${testId}-message`}>{error.message}</Text>
      {issues.length === 0 ? null : (
        <List variant="unordered-styled" testId={`${testId}-issues`}>
          {issues.map((issue) => (
            <Text key={`${issue.path}:${issue.message}`}>{`${issue.path}: ${issue.message}`}</Text>
          ))}
        </List>
      )}
    </Alert>
  );
}
