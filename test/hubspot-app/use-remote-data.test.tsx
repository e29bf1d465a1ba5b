import { Button, LoadingSpinner, Text } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import type { ApiResult } from '../../hubspot-app/src/app/cards/common/api-client.ts';
import { useRemoteData } from '../../hubspot-app/src/app/cards/common/useRemoteData.ts';
import { deferred } from './fake-hubspot.ts';

// A stale answer (the user moved on, retried, or a mutation already replaced the data) must
// never overwrite a newer one, whatever order the answers arrive in.

type Pending = Map<string, ReturnType<typeof deferred<ApiResult<string>>>>;

function Probe({ pending }: { pending: Pending }) {
  const [key, setKey] = useState('a');
  const remote = useRemoteData(key, () => {
    const answer = deferred<ApiResult<string>>();
    pending.set(`${key}${pending.size}`, answer);
    return answer.promise;
  });
  const state = remote.state;
  return (
    <>
      <Button onClick={() => setKey('b')} testId="switch">
        Switch
      </Button>
      <Button onClick={() => remote.update((data) => `${data}+edited`)} testId="edit">
        Edit
      </Button>
      <Button onClick={remote.refresh} testId="refresh">
        Refresh
      </Button>
      {state.status === 'loading' ? (
        <LoadingSpinner label="loading" testId="loading" />
      ) : (
        <Text testId="shown">
          {state.status === 'success'
            ? `${state.data}${state.refreshing ? ' (refreshing)' : ''}`
            : state.error.message}
        </Text>
      )}
    </>
  );
}

const ok = (data: string): ApiResult<string> => ({ ok: true, data });

describe('useRemoteData', () => {
  it('drops the answer of a request that is no longer the latest', async () => {
    const pending: Pending = new Map();
    const { render, findByTestId, waitFor } = createRenderer('crm.record.tab');
    render(<Probe pending={pending} />);
    await vi.waitFor(() => expect(pending.has('a0')).toBe(true));
    findByTestId(Button, 'switch').trigger('onClick');
    await vi.waitFor(() => expect(pending.has('b1')).toBe(true));

    pending.get('b1')?.resolve(ok('answer for b'));
    await waitFor(() => expect(findByTestId(Text, 'shown').text).toBe('answer for b'));
    pending.get('a0')?.resolve(ok('stale answer for a'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(findByTestId(Text, 'shown').text).toBe('answer for b');
  });

  it('keeps the data on screen during a quiet refresh, and a local edit wins over a refresh in flight', async () => {
    const pending: Pending = new Map();
    const { render, findByTestId, waitFor } = createRenderer('crm.record.tab');
    render(<Probe pending={pending} />);
    await vi.waitFor(() => expect(pending.has('a0')).toBe(true));
    pending.get('a0')?.resolve(ok('v1'));
    await waitFor(() => expect(findByTestId(Text, 'shown').text).toBe('v1'));

    findByTestId(Button, 'refresh').trigger('onClick');
    await waitFor(() => expect(findByTestId(Text, 'shown').text).toBe('v1 (refreshing)'));
    findByTestId(Button, 'edit').trigger('onClick');
    await waitFor(() => expect(findByTestId(Text, 'shown').text).toBe('v1+edited'));
    pending.get('a1')?.resolve(ok('v0 from before the edit'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(findByTestId(Text, 'shown').text).toBe('v1+edited');
  });
});
