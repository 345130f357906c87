/**
 * Sizes of JSON bodies as they go on the wire (UTF-8), and cutting a text to a byte budget: how the
 * PagerDuty driver keeps an event within PagerDuty's body limit (SPEC §6 sizes). Pure, no framework
 * imports.
 */
import { ELLIPSIS } from '../../common/truncate';

/** UTF-8 bytes of one code point, as `JSON.stringify` writes it inside a string (escapes included). */
function jsonCodePointBytes(code: number): number {
  if (code === 0x22 || code === 0x5c) return 2; // \" \\
  if (code < 0x20) return code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d ? 2 : 6; // \n … or \u00XX
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  if (code >= 0xd800 && code <= 0xdfff) return 6; // a lone surrogate: JSON.stringify writes \uDXXX
  if (code < 0x10000) return 3;
  return 4;
}

/** Walks `text` by code point (a surrogate pair is one step), with each step's JSON bytes. */
function forEachCodePoint(text: string, visit: (end: number, bytes: number) => boolean): void {
  for (let i = 0; i < text.length; ) {
    const code = text.codePointAt(i) as number;
    const units = code > 0xffff ? 2 : 1;
    if (!visit(i + units, jsonCodePointBytes(code))) return;
    i += units;
  }
}

/** UTF-8 bytes of `JSON.stringify(text)`, quotes included, without building it. */
export function jsonStringBytes(text: string): number {
  let bytes = 2;
  forEachCodePoint(text, (_end, b) => {
    bytes += b;
    return true;
  });
  return bytes;
}

/** UTF-8 bytes of `JSON.stringify(value)`: the size of the request body. */
export function jsonBytes(value: unknown): number {
  const json = JSON.stringify(value);
  if (json === undefined) return 0;
  let bytes = 0;
  for (let i = 0; i < json.length; i++) {
    const code = json.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < json.length) {
      // JSON.stringify escapes lone surrogates, so a high one here starts a pair: 4 bytes for both
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * `text` as is when its JSON string takes at most `maxBytes`, else its longest prefix that, with
 * `…`, does: cut on a code point (never inside a surrogate pair). Below 5 bytes (quotes and `…`),
 * the empty string.
 */
export function cutToJsonBytes(text: string, maxBytes: number): string {
  if (jsonStringBytes(text) <= maxBytes) return text;
  let budget = maxBytes - jsonStringBytes(ELLIPSIS); // the quotes and the ellipsis
  if (budget < 0) return '';
  let end = 0;
  forEachCodePoint(text, (next, bytes) => {
    if (bytes > budget) return false;
    budget -= bytes;
    end = next;
    return true;
  });
  return `${text.slice(0, end)}${ELLIPSIS}`;
}

/** A place in a body that holds text: it can be cut, or (a link) left out, to make the body smaller. */
export interface TextSlot {
  /** JSON bytes of the text now */
  bytes(): number;
  /** makes the text take at most `maxBytes` (or removes it, for what cannot be cut, like a URL) */
  shrink(maxBytes: number): void;
}

/** The string at `container[key]`, cut when shrunk. */
export function textSlot(container: Record<string, unknown> | unknown[], key: string | number): TextSlot {
  const record = container as Record<string | number, unknown>;
  return {
    bytes: () => jsonStringBytes(String(record[key])),
    shrink: (maxBytes) => {
      record[key] = cutToJsonBytes(String(record[key]), maxBytes);
    },
  };
}

/** Every string inside `value` (objects and arrays, at any depth), as slots. */
export function stringSlots(value: unknown): TextSlot[] {
  const slots: TextSlot[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => (typeof item === 'string' ? slots.push(textSlot(node, i)) : walk(item)));
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, item] of Object.entries(node)) {
        if (typeof item === 'string') slots.push(textSlot(node as Record<string, unknown>, key));
        else walk(item);
      }
    }
  };
  walk(value);
  return slots;
}

/** A text is not cut below this many bytes (it keeps saying something) while a bigger one is left. */
export const TEXT_FLOOR_BYTES = 256;

/**
 * Shrinks the biggest texts of `body` (as `slots` finds them, asked again after each cut) until the
 * body's JSON takes at most `maxBytes`: each round cuts the biggest text by what is still over, down
 * to {@link TEXT_FLOOR_BYTES}. Returns whether the body fits; `body` is changed in place.
 */
export function shrinkToFit(body: unknown, maxBytes: number, slots: () => TextSlot[]): boolean {
  for (let round = 0; round < 1_000; round++) {
    const excess = jsonBytes(body) - maxBytes;
    if (excess <= 0) return true;
    let biggest: TextSlot | null = null;
    let biggestBytes = TEXT_FLOOR_BYTES;
    for (const slot of slots()) {
      const bytes = slot.bytes();
      if (bytes > biggestBytes) {
        biggest = slot;
        biggestBytes = bytes;
      }
    }
    if (!biggest) return false;
    biggest.shrink(Math.max(TEXT_FLOOR_BYTES, biggestBytes - excess));
  }
  return jsonBytes(body) <= maxBytes;
}
