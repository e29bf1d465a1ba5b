import { Button, ErrorState, LoadingSpinner, Text } from '@hubspot/ui-extensions';
import type { UiError } from './api-client.ts';

// The loading and error states every card and the settings page share. An error says what
// failed (`what`), why (the server's message), which fields (validation issues) and offers Retry.

export function LoadingState({ label, testId }: { label: string; testId: string }) {
  return <LoadingSpinner label={label} showLabel layout="centered" testId={testId} />;
}

export function ErrorPanel({
  what,
  error,
  onRetry,
  testId,
}: {
  /** What failed, in the user's words: "Could not load this deal's partners". */
  what: string;
  error: UiError;
  onRetry?: () => void;
  testId: string;
}) {
  const issues = error.kind === 'server' ? error.issues : [];
  return (
    <ErrorState
      title={what}
      type={error.kind === 'server' && error.status === 403 ? 'lock' : 'error'}
      testId={testId}
    >
      <Text testId={`${testId}-message`}>{error.message}</Text>
      {issues.map((issue) => (
        <Text key={`${issue.path}:${issue.message}`} variant="microcopy">
          {`${issue.path}: ${issue.message}`}
        </Text>
      ))}
      {onRetry === undefined ? null : (
        <Button onClick={onRetry} testId={`${testId}-retry`}>
          Retry
        </Button>
      )}
    </ErrorState>
  );
}
