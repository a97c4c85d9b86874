/** Narrowing helpers for JSON from outside (servers, files): each returns `undefined` instead of trusting a shape. */

export type Json = Record<string, unknown>;

export const asObject = (value: unknown): Json | undefined =>
  (value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Json : undefined);
export const asArray = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);
export const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
export const asNumber = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
