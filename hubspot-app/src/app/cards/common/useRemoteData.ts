import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { ApiResult, UiError } from './api-client.ts';

// Remote data as one discriminated union. Every load gets a request id; an answer whose id is
// no longer the latest (the user retried, the key changed, or a mutation already replaced the
// data) is dropped, so a slow stale response never overwrites a newer one.

export type RemoteData<T> =
  | { status: 'loading' }
  | { status: 'error'; error: UiError }
  | {
      status: 'success';
      data: T;
      /** A quiet refresh is running; the data stays on screen meanwhile. */
      refreshing: boolean;
      /** The last quiet refresh failed; the data shown is what we had before. */
      refreshError: UiError | null;
    };

type Action<T> =
  | { type: 'start'; quiet: boolean }
  | { type: 'resolved'; result: ApiResult<T> }
  | { type: 'update'; update: (data: T) => T };

function reducer<T>(state: RemoteData<T>, action: Action<T>): RemoteData<T> {
  switch (action.type) {
    case 'start':
      return action.quiet && state.status === 'success'
        ? { ...state, refreshing: true }
        : { status: 'loading' };
    case 'resolved':
      if (action.result.ok) {
        return {
          status: 'success',
          data: action.result.data,
          refreshing: false,
          refreshError: null,
        };
      }
      return state.status === 'success' && state.refreshing
        ? { ...state, refreshing: false, refreshError: action.result.error }
        : { status: 'error', error: action.result.error };
    case 'update':
      return state.status === 'success'
        ? { ...state, data: action.update(state.data), refreshing: false }
        : state;
  }
}

export type RemoteDataHandle<T> = {
  state: RemoteData<T>;
  /** Loads again, showing the loading state (after an error: Retry). */
  reload: () => void;
  /** Loads again behind the data on screen. */
  refresh: () => void;
  /** Replaces the data (a mutation's answer); requests in flight are dropped as stale. */
  update: (update: (data: T) => T) => void;
};

/** Loads when mounted and whenever `key` changes. */
export function useRemoteData<T>(
  key: string,
  load: () => Promise<ApiResult<T>>,
): RemoteDataHandle<T> {
  const [state, dispatch] = useReducer(reducer<T>, { status: 'loading' });
  const latest = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const run = useCallback((quiet: boolean) => {
    latest.current += 1;
    const id = latest.current;
    dispatch({ type: 'start', quiet });
    void loadRef
      .current()
      .catch(
        (error: unknown): ApiResult<T> => ({
          ok: false,
          error: {
            kind: 'network',
            message: error instanceof Error ? error.message : String(error),
          },
        }),
      )
      .then((result) => {
        if (id === latest.current) dispatch({ type: 'resolved', result });
      });
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names what to load; a new key loads again.
  useEffect(() => {
    run(false);
  }, [key, run]);

  const update = useCallback((change: (data: T) => T) => {
    latest.current += 1;
    dispatch({ type: 'update', update: change });
  }, []);

  return {
    state,
    reload: useCallback(() => run(false), [run]),
    refresh: useCallback(() => run(true), [run]),
    update,
  };
}
