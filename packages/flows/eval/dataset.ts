// A multi-hop memory dataset in the musique-dev format (see /work/shared/datasets/musique-dev/README.md):
// `questions.json` (questions with their gold passages) and `openie.json` (per passage the extracted
// entities and triples). A passage's identity is `title + "\n" + text`; malformed triples (and ones
// longer than the memory takes: 200 characters a part) are skipped.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One passage with the triples and entity names an extractor found in it. */
export interface DatasetPassage {
  /** `title + "\n" + text`: what is ingested and how gold passages are recognized. */
  text: string;
  triples: Array<[string, string, string]>;
  entities: string[];
}

/** One question with the identities of its gold (supporting) passages. */
export interface DatasetQuestion {
  id: string;
  question: string;
  gold: string[];
}

export interface Dataset {
  passages: DatasetPassage[];
  questions: DatasetQuestion[];
  /** Triples dropped as malformed (not three non-empty strings of at most 200 characters). */
  skippedTriples: number;
}

interface RawQuestion {
  id: string;
  question: string;
  paragraphs: Array<{ title: string; paragraph_text: string; is_supporting: boolean }>;
}
interface RawOpenIe {
  docs: Array<{ title: string; text: string; extracted_entities?: unknown; extracted_triples?: unknown }>;
}

const isText = (value: unknown): value is string => typeof value === 'string' && value.trim().length > 0;
// The memory's limit on entity names and predicates.
const isTripleText = (value: unknown): value is string => isText(value) && value.length <= 200;

/** Reads a dataset directory; passages come from `openie.json` (and any question passage it lacks, with no triples). */
export async function loadDataset(dir: string): Promise<Dataset> {
  const questions = JSON.parse(await readFile(join(dir, 'questions.json'), 'utf8')) as RawQuestion[];
  const openie = JSON.parse(await readFile(join(dir, 'openie.json'), 'utf8')) as RawOpenIe;
  const passages = new Map<string, DatasetPassage>();
  let skippedTriples = 0;
  for (const doc of openie.docs) {
    const text = `${doc.title}\n${doc.text}`;
    const triples: Array<[string, string, string]> = [];
    for (const t of Array.isArray(doc.extracted_triples) ? doc.extracted_triples : []) {
      if (Array.isArray(t) && t.length === 3 && t.every(isTripleText))
        triples.push(t as [string, string, string]);
      else skippedTriples++;
    }
    const entities = Array.isArray(doc.extracted_entities) ? doc.extracted_entities.filter(isText) : [];
    passages.set(text, { text, triples, entities });
  }
  const out: DatasetQuestion[] = questions.map((q) => {
    for (const p of q.paragraphs) {
      const text = `${p.title}\n${p.paragraph_text}`;
      if (!passages.has(text)) passages.set(text, { text, triples: [], entities: [] });
    }
    return {
      id: String(q.id),
      question: q.question,
      gold: q.paragraphs.filter((p) => p.is_supporting).map((p) => `${p.title}\n${p.paragraph_text}`),
    };
  });
  return { passages: [...passages.values()], questions: out, skippedTriples };
}
