// Agent and user sessions: one hash each, written atomically by a Lua script that also slides
// the TTL. Expired sessions are gone (Redis expires the hash), so reads return null.
import {
  type CharacterStatus,
  CharacterStatusSchema,
  type JsonObject,
  JsonObjectSchema,
  type PerformanceMetrics,
  PerformanceMetricsSchema,
} from '@monsteros/schema';
import { z } from 'zod';
import type { Availability, ScriptedClient } from './connection.js';
import type { KeyBuilders } from './keys.js';
import { check, KeyPart } from './validation.js';

/** An agent's live session (`agent:session:{agent_name}`). */
export interface AgentSession {
  status: CharacterStatus;
  /** Last time the session was written or touched. */
  lastActivity: Date;
  currentContext: string | null;
  metrics: PerformanceMetrics;
}

/** A user's live session (`user:session:{user_id}`). */
export interface UserSession {
  /** Name of the character the user is talking to. */
  activeCharacter: string | null;
  /** Id of the quest the user is on. */
  currentQuest: string | null;
  sessionData: JsonObject;
  /** Quest id → progress percentage, written by `pipelines.updateUserProgress`. */
  questProgress: Record<string, number>;
  lastActivity: Date;
}

export interface AgentSessionPatch {
  status?: CharacterStatus;
  currentContext?: string | null;
  /** Merged into the session's metrics (other metrics keep their values). */
  metrics?: PerformanceMetrics;
}

export interface UserSessionPatch {
  activeCharacter?: string | null;
  currentQuest?: string | null;
  /** Replaces the session data. */
  sessionData?: JsonObject;
}

const AgentPatchSchema = z
  .object({
    status: CharacterStatusSchema.optional(),
    currentContext: z.string().max(10_000, 'must be at most 10000 characters').nullable().optional(),
    metrics: PerformanceMetricsSchema.optional(),
  })
  .strict();
const AgentStartSchema = AgentPatchSchema.extend({ status: CharacterStatusSchema });
const UserPatchSchema = z
  .object({
    activeCharacter: z
      .string()
      .min(1, 'must not be empty')
      .max(50, 'must be at most 50 characters')
      .nullable()
      .optional(),
    currentQuest: z
      .string()
      .min(1, 'must not be empty')
      .max(100, 'must be at most 100 characters')
      .nullable()
      .optional(),
    sessionData: JsonObjectSchema.optional(),
  })
  .strict();

const METRIC_FIELD = 'metric:';
/** User session field of one quest's progress: `progress:<quest id>`. */
export const PROGRESS_FIELD = 'progress:';

function agentFields(patch: z.output<typeof AgentPatchSchema>, now: number): string[] {
  const fields = ['last_activity', String(now)];
  if (patch.status !== undefined) fields.push('status', patch.status);
  if (patch.currentContext !== undefined) fields.push('current_context', patch.currentContext ?? '');
  for (const [name, value] of Object.entries(patch.metrics ?? {}))
    fields.push(METRIC_FIELD + name, String(value));
  return fields;
}

function userFields(patch: z.output<typeof UserPatchSchema>, now: number): string[] {
  const fields = ['last_activity', String(now)];
  if (patch.activeCharacter !== undefined) fields.push('active_character', patch.activeCharacter ?? '');
  if (patch.currentQuest !== undefined) fields.push('current_quest', patch.currentQuest ?? '');
  if (patch.sessionData !== undefined) fields.push('session_data', JSON.stringify(patch.sessionData));
  return fields;
}

function pairs(reply: unknown): Map<string, string> | null {
  if (!Array.isArray(reply) || reply.length === 0) return null;
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < reply.length; i += 2) map.set(String(reply[i]), String(reply[i + 1]));
  return map;
}

function toAgentSession(hash: Map<string, string> | null): AgentSession | null {
  if (!hash?.has('status')) return null;
  const metrics: PerformanceMetrics = {};
  for (const [field, value] of hash)
    if (field.startsWith(METRIC_FIELD)) metrics[field.slice(METRIC_FIELD.length)] = Number(value);
  const context = hash.get('current_context');
  return {
    status: hash.get('status') as CharacterStatus,
    lastActivity: new Date(Number(hash.get('last_activity'))),
    currentContext: context ? context : null,
    metrics,
  };
}

function toUserSession(hash: Map<string, string> | null): UserSession | null {
  if (!hash) return null;
  const data = hash.get('session_data');
  const questProgress: Record<string, number> = {};
  for (const [field, value] of hash)
    if (field.startsWith(PROGRESS_FIELD)) questProgress[field.slice(PROGRESS_FIELD.length)] = Number(value);
  return {
    activeCharacter: hash.get('active_character') || null,
    currentQuest: hash.get('current_quest') || null,
    sessionData: data ? (JSON.parse(data) as JsonObject) : {},
    questProgress,
    lastActivity: new Date(Number(hash.get('last_activity'))),
  };
}

/** Sessions API: `cache.sessions.agents` and `cache.sessions.users`. */
export interface Sessions {
  agents: {
    /**
     * Starts (or replaces) an agent's session with a fresh TTL.
     * @example await cache.sessions.agents.start('sage', { status: 'active' });
     */
    start(agent: string, session: AgentSessionPatch & { status: CharacterStatus }): Promise<AgentSession>;
    /**
     * Atomically updates some fields of a live session and slides its TTL; null if there is none.
     * @example await cache.sessions.agents.update('sage', { metrics: { latency_ms: 12 } });
     */
    update(agent: string, patch: AgentSessionPatch): Promise<AgentSession | null>;
    /**
     * Marks activity and slides the TTL of a live session; false if there is none.
     * @example await cache.sessions.agents.touch('sage');
     */
    touch(agent: string): Promise<boolean>;
    /**
     * Reads a session; null when it expired or never existed.
     * @example const s = await cache.sessions.agents.get('sage');
     */
    get(agent: string): Promise<AgentSession | null>;
    /** Ends a session. Returns whether it existed. */
    end(agent: string): Promise<boolean>;
  };
  users: {
    /** Starts (or replaces) a user's session with a fresh TTL. */
    start(userId: string, session: UserSessionPatch): Promise<UserSession>;
    /** Atomically updates some fields of a live session and slides its TTL; null if there is none. */
    update(userId: string, patch: UserSessionPatch): Promise<UserSession | null>;
    /** Marks activity and slides the TTL of a live session; false if there is none. */
    touch(userId: string): Promise<boolean>;
    /** Reads a session; null when it expired or never existed. */
    get(userId: string): Promise<UserSession | null>;
    /** Ends a session. Returns whether it existed. */
    end(userId: string): Promise<boolean>;
  };
}

export interface SessionDeps {
  client: ScriptedClient;
  availability: Availability;
  keys: KeyBuilders;
  agentTtlMs: number;
  userTtlMs: number;
}

/** One kind of session (agent or user): the same five operations over its own key, TTL and fields. */
interface SessionKind<Start, Patch, S> {
  /** `agent` or `user`, for error messages. */
  kind: string;
  /** The id's field name in errors (`agent`, `userId`). */
  idField: string;
  keyOf(id: string): string;
  ttlMs: number;
  startSchema: z.ZodType<Start>;
  patchSchema: z.ZodType<Patch>;
  fields(patch: Start | Patch | Record<string, never>, now: number): string[];
  toSession(hash: Map<string, string> | null): S | null;
}

function sessionStore<Start, Patch, S>(
  deps: Pick<SessionDeps, 'client' | 'availability'>,
  k: SessionKind<Start, Patch, S>,
) {
  const { client, availability } = deps;
  const keyOf = (id: string) => k.keyOf(check(KeyPart, id, k.idField));
  const write = (what: string, key: string, mode: 'replace' | 'patch', fields: string[]) =>
    availability.run(`${what} ${k.kind} session`, () =>
      client.mosSessionWrite(key, String(k.ttlMs), mode, ...fields),
    );
  return {
    async start(id: string, session: Start): Promise<S> {
      const key = keyOf(id);
      const parsed = check(k.startSchema, session, 'session');
      return k.toSession(pairs(await write('start', key, 'replace', k.fields(parsed, Date.now()))))!;
    },
    async update(id: string, patch: Patch): Promise<S | null> {
      const key = keyOf(id);
      const parsed = check(k.patchSchema, patch, 'patch');
      return k.toSession(pairs(await write('update', key, 'patch', k.fields(parsed, Date.now()))));
    },
    async touch(id: string): Promise<boolean> {
      const key = keyOf(id);
      return (await write('touch', key, 'patch', k.fields({}, Date.now()))) !== null;
    },
    async get(id: string): Promise<S | null> {
      const key = keyOf(id);
      return k.toSession(
        pairs(await availability.run(`read ${k.kind} session`, () => client.hgetall(key).then(flatten))),
      );
    },
    async end(id: string): Promise<boolean> {
      const key = keyOf(id);
      return (await availability.run(`end ${k.kind} session`, () => client.del(key))) === 1;
    },
  };
}

/** Builds the sessions API (used by createCache). */
export function createSessions({ client, availability, keys, agentTtlMs, userTtlMs }: SessionDeps): Sessions {
  return {
    agents: sessionStore(
      { client, availability },
      {
        kind: 'agent',
        idField: 'agent',
        keyOf: keys.agentSession,
        ttlMs: agentTtlMs,
        startSchema: AgentStartSchema,
        patchSchema: AgentPatchSchema,
        fields: agentFields,
        toSession: toAgentSession,
      },
    ),
    users: sessionStore(
      { client, availability },
      {
        kind: 'user',
        idField: 'userId',
        keyOf: keys.userSession,
        ttlMs: userTtlMs,
        startSchema: UserPatchSchema,
        patchSchema: UserPatchSchema,
        fields: userFields,
        toSession: toUserSession,
      },
    ),
  };
}

function flatten(hash: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(hash)) out.push(k, v);
  return out;
}

/** The fields `pipelines.updateUserProgress` upserts (validated user session patch + progress). */
export function userSessionFields(patch: UserSessionPatch, field: string, now: number): string[] {
  return userFields(check(UserPatchSchema, patch, field), now);
}

const AgentSessionPartSchema = AgentPatchSchema.omit({ metrics: true });

/**
 * Session hash fields of an agent's session part (status, current context, validated under
 * `field`) and its metrics: the bulk metrics update writes them in its pipeline.
 */
export function agentSessionFields(
  session: unknown,
  metrics: PerformanceMetrics,
  now: number,
  field: string,
): string[] {
  return agentFields({ ...check(AgentSessionPartSchema, session ?? {}, field), metrics }, now);
}
