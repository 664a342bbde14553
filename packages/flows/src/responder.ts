import type { UserSession } from '@monsteros/cache';
import type { CharacterAgent } from '@monsteros/schema';
import type { RecalledMemory } from './ports.js';

/** What a responder gets: the character, the message, what it remembers, the user's session. */
export interface ResponderInput {
  character: CharacterAgent;
  message: string;
  memories: readonly RecalledMemory[];
  session: UserSession | null;
}

/** Produces a character's reply. A real app injects its LLM here. */
export interface Responder {
  respond(input: ResponderInput): Promise<string> | string;
}

const clip = (text: string, max: number) =>
  text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;

/**
 * The default responder: a deterministic template that uses the character's name and role and
 * the memories recalled (the same input always gives the same reply). For development and tests.
 */
export const templateResponder: Responder = {
  respond({ character, message, memories, session }) {
    const topic = clip(message.replace(/\s+/g, ' ').trim(), 80);
    const opener = `${character.display_name} (${character.role}) here.`;
    const recall = memories.length
      ? ` I remember: ${memories
          .slice(0, 2)
          .map((m) => `"${clip(m.text, 60)}"`)
          .join(' and ')}.`
      : ' This is new ground for us.';
    const continuing = session?.activeCharacter === character.name ? ' Picking up where we left off:' : '';
    return `${opener}${continuing} You asked about "${topic}".${recall} Let's work through it step by step.`;
  },
};
