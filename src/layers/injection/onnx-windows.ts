/** Token ids a tokenizer puts around every sequence ([CLS] ... [SEP], <s> ... </s>). */
export interface SpecialTokens {
  prefix: readonly number[];
  suffix: readonly number[];
}

/**
 * Finds the special tokens a tokenizer adds by encoding one probe text with and without them: the
 * plain ids appear once, contiguously, inside the full encoding; what is around them is the
 * prefix and suffix. Undefined when they do not (a post-processor that rewrites the content).
 */
export function specialTokensFrom(withSpecials: readonly number[], plain: readonly number[]): SpecialTokens | undefined {
  if (plain.length === 0) return undefined;
  outer: for (let at = 0; at + plain.length <= withSpecials.length; at++) {
    for (let i = 0; i < plain.length; i++) if (withSpecials[at + i] !== plain[i]) continue outer;
    return { prefix: withSpecials.slice(0, at), suffix: withSpecials.slice(at + plain.length) };
  }
  return undefined;
}

/** How far consecutive windows start apart: a quarter of a window overlaps the next. */
export function windowStride(contentLength: number): number {
  return Math.max(1, contentLength - Math.floor(contentLength / 4));
}

/**
 * Cuts a text's token ids (without special tokens) into windows of at most `maxLength` ids with
 * the special tokens around each. Consecutive windows overlap by a quarter, so an instruction of
 * up to a quarter window that straddles one boundary lies whole inside the next window. A text
 * that fits is one window; an empty one none (nothing to score).
 */
export function tokenWindows(ids: readonly number[], maxLength: number, special: SpecialTokens): number[][] {
  if (ids.length === 0) return [];
  const content = maxLength - special.prefix.length - special.suffix.length;
  if (content < 1) throw new RangeError(`max_length ${maxLength} leaves no room for text beside the ${special.prefix.length + special.suffix.length} special tokens`);
  const stride = windowStride(content);
  const out: number[][] = [];
  for (let start = 0; ; start += stride) {
    const end = Math.min(ids.length, start + content);
    out.push([...special.prefix, ...ids.slice(start, end), ...special.suffix]);
    if (end === ids.length) break;
  }
  return out;
}
