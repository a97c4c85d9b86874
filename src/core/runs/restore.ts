/**
 * Restore: where a recorded answer is in a document that was reopened, if it is still there exactly (at its
 * recorded place, or found exactly once within a bounded window around it: the file changed while closed, by a
 * pull, a formatter, an edit above; anything else is not restored, so no text is coloured falsely), and the
 * token store it gets back.
 */
import { TokenStore } from '../tokenStore';
import type { RunPlace } from './runRecord';
import { hashText } from './runRecord';
import type { RunPlacements, RunTokens } from './runTokens';

/**
 * How far (UTF-16 code units, each side) the answer is looked for when it moved. Bounded so that a large
 * document costs the same as a small one; wide enough for the edits made to a file while it is closed.
 */
export const RESTORE_WINDOW = 20_000;

export type AnswerLocation =
  | { readonly found: 'atPlace' | 'nearby'; readonly offset: number }
  | { readonly found: 'no'; readonly why: 'empty' | 'notFound' | 'ambiguous' };

/** Whether the recorded text is still at its recorded place: a hash check, no need to read the record's text. */
export function isAtRecordedPlace(documentText: string, place: RunPlace): boolean {
  return place.length > 0 && place.offset + place.length <= documentText.length
    && hashText(documentText.slice(place.offset, place.offset + place.length)) === place.textHash;
}

/** Finds a recorded answer in the current document text. */
export function locateAnswer(documentText: string, place: RunPlace, answerText: string, window = RESTORE_WINDOW): AnswerLocation {
  if (answerText.length === 0) return { found: 'no', why: 'empty' };
  if (documentText.startsWith(answerText, place.offset)) return { found: 'atPlace', offset: place.offset };
  const from = Math.max(0, place.offset - window);
  const region = documentText.slice(from, Math.min(documentText.length, place.offset + answerText.length + window));
  const first = region.indexOf(answerText);
  if (first < 0) return { found: 'no', why: 'notFound' };
  // A second occurrence (overlapping ones included) makes the place a guess: not restored.
  if (region.indexOf(answerText, first + 1) >= 0) return { found: 'no', why: 'ambiguous' };
  return { found: 'nearby', offset: from + first };
}

/** A run that may be restored in a document: its id, recorded place and text. */
export interface RestoreCandidate {
  readonly id: string;
  readonly place: RunPlace;
  readonly text: string;
}

/**
 * Which runs to restore where, given the document's runs newest first: each located answer, skipping any
 * that would overlap one already placed (an older answer the newer one replaced), so no range is coloured twice.
 */
export function planRestore(documentText: string, newestFirst: readonly RestoreCandidate[], window = RESTORE_WINDOW): { id: string; offset: number; moved: boolean }[] {
  const planned: { id: string; offset: number; moved: boolean; end: number }[] = [];
  for (const candidate of newestFirst) {
    const location = locateAnswer(documentText, candidate.place, candidate.text, window);
    if (location.found === 'no') continue;
    const end = location.offset + candidate.text.length;
    if (planned.some((other) => location.offset < other.end && other.offset < end)) continue;
    planned.push({ id: candidate.id, offset: location.offset, moved: location.found === 'nearby', end });
  }
  return planned.map(({ id, offset, moved }) => ({ id, offset, moved }));
}

/** A token store holding a recorded run's tokens and placements (offsets relative to the answer's start). */
export function restoredStore(tokens: RunTokens, placements: RunPlacements): TokenStore {
  return TokenStore.fromColumns(tokens, placements);
}
