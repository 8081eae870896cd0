/**
 * Sessions for graphs built with `GraphBuilder`, created once per key and reused. Kernels key their graphs
 * by "shape class" (element type and whatever dims are baked in), so a layer matrix over 13 layers builds
 * and loads each graph once, not 169 times.
 */
import { Session, type SessionOptions } from '../backend/ort';

const sessions = new Map<string, Promise<Session>>();

/** The session for `key`, building the graph with `build` the first time the key is seen. */
export function graphSession(key: string, build: () => Uint8Array, opts: SessionOptions = {}): Promise<Session> {
  const fullKey = `${key}|threads=${opts.threads ?? 'default'}|opt=${opts.optimization ?? 'all'}`;
  let s = sessions.get(fullKey);
  if (s === undefined) {
    s = Session.create(build(), opts);
    // A graph that fails to load should not poison the cache for the next call.
    s.catch(() => sessions.delete(fullKey));
    sessions.set(fullKey, s);
  }
  return s;
}

/** Release every cached session (tests and long notebooks call this to free memory). */
export async function releaseGraphSessions(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  for (const s of all) {
    try {
      await (await s).release();
    } catch {
      // a session that never loaded has nothing to release
    }
  }
}
