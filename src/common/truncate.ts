/**
 * The one way a long text is cut (SPEC §6 sizes): descriptions, labels, reasons and errors in
 * notifications, change-event summaries, delivery reasons. Pure.
 */

/** The cut marker: one UTF-16 unit, three UTF-8 bytes. */
export const ELLIPSIS = '…';

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/**
 * Cuts `text` to at most `max` UTF-16 units (what JavaScript's `length`, PagerDuty's and Slack's
 * character limits count), ending with `…` when cut; never splits a surrogate pair (an emoji is
 * kept whole or left out). A text within `max` is returned unchanged.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max < 1) return '';
  return `${keepWhole(text, max - 1)}${ELLIPSIS}`;
}

/** The first `units` UTF-16 units of `text`, one less when the last would be half a surrogate pair. */
export function keepWhole(text: string, units: number): string {
  let end = Math.max(0, Math.min(units, text.length));
  if (end > 0 && end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  return text.slice(0, end);
}
