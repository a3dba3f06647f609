/**
 * What a router reads afresh at every login — its principals, its revoked
 * keys — can be given three ways: the value itself, something that follows a
 * file and answers `current()` (AuthorizedKeysFile, RevokedKeysFile), or a
 * function. currentReader turns any of them into one function.
 */

/** A value, something with `current()` returning it, or a function returning it. */
export type CurrentSource<T> = T | { current(): T } | (() => T);

/** One way to read the current value from any CurrentSource. */
export function currentReader<T>(source: CurrentSource<T>): () => T {
  if (typeof source === 'function') return source as () => T;
  if ('current' in (source as object) && typeof (source as { current?: unknown }).current === 'function') {
    return () => (source as { current(): T }).current();
  }
  return () => source as T;
}
