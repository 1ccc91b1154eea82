import { showInvisible } from "../pins/definition-diff.js";
import { detectInjection, normaliseText } from "../injection/index.js";
import { BIDI_CHARS, INTERNAL_HOST, INVISIBLE_CHARS, LANGUAGE_RULES, OVERLONG_CHARS, PADDING, SECRET_PATTERNS, SUSPICIOUS_PARAMETER, TAG_CHARS } from "./description-rules.js";
import { SEVERITY_RANK, type Finding, type ReviewedField, type ReviewedKind } from "./review-types.js";

export interface ReviewOptions {
  /** Names of the other tools the server (or the session) lists, to spot instructions about them. */
  siblingTools?: readonly string[];
  /** Use the injection detector's model as well as the rules (default true). */
  useModel?: boolean;
}

/** The texts of one definition the model reads, with where they sit. */
export function fieldsOf(kind: ReviewedKind, def: Record<string, unknown>): ReviewedField[] {
  const out: ReviewedField[] = [];
  const str = (path: string, v: unknown) => {
    if (typeof v === "string" && v.length > 0) out.push({ path, text: v });
  };
  str("name", def.name);
  str("title", def.title);
  str("description", def.description);
  if (kind === "tool") {
    const ann = def.annotations as Record<string, unknown> | undefined;
    if (ann && typeof ann === "object") str("annotations.title", ann.title);
    schemaFields(def.inputSchema, "inputSchema", out, 0);
    schemaFields(def.outputSchema, "outputSchema", out, 0);
  } else if (kind === "prompt") {
    const args = def.arguments;
    if (Array.isArray(args)) {
      args.forEach((a: Record<string, unknown>, i) => {
        if (!a || typeof a !== "object") return;
        str(`arguments.${i}.name`, a.name);
        str(`arguments.${i}.title`, a.title);
        str(`arguments.${i}.description`, a.description);
      });
    }
  } else {
    str("uriTemplate", def.uriTemplate);
  }
  return out;
}

function schemaFields(schema: unknown, path: string, out: ReviewedField[], depth: number): void {
  if (!schema || typeof schema !== "object" || depth > 8) return;
  const s = schema as Record<string, unknown>;
  if (depth > 0) {
    if (typeof s.description === "string" && s.description) out.push({ path: `${path}.description`, text: s.description });
    if (typeof s.title === "string" && s.title) out.push({ path: `${path}.title`, text: s.title });
  }
  const props = s.properties;
  if (props && typeof props === "object") {
    for (const [k, v] of Object.entries(props as Record<string, unknown>)) {
      out.push({ path: `${path}.properties.${k}`, text: k }); // the parameter name itself
      schemaFields(v, `${path}.properties.${k}`, out, depth + 1);
    }
  }
  if (s.items) schemaFields(s.items, `${path}.items`, out, depth + 1);
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const list = s[key];
    if (Array.isArray(list)) list.forEach((x, i) => schemaFields(x, `${path}.${key}.${i}`, out, depth + 1));
  }
  for (const key of ["$defs", "definitions"]) {
    const defs = s[key];
    if (defs && typeof defs === "object") for (const [k, v] of Object.entries(defs as Record<string, unknown>)) schemaFields(v, `${path}.${key}.${k}`, out, depth + 1);
  }
}

const isNameField = (path: string) => path === "name" || /\.properties\.[^.]+$/.test(path) || /^arguments\.\d+\.name$/.test(path);

/**
 * Reviews one tool, prompt or resource-template definition for poisoning: hidden instructions,
 * instructions about other tools (shadowing), requests to read or send credentials and files or to
 * pass data in parameters, secrecy, invisible or bidi characters, padding, overlong descriptions,
 * secrets and internal hosts. Pure; findings carry severity, rule, field and span.
 */
export function reviewDefinition(kind: ReviewedKind, def: Record<string, unknown>, options: ReviewOptions = {}): Finding[] {
  const name = typeof def.name === "string" ? def.name : typeof def.uriTemplate === "string" ? def.uriTemplate : "(unnamed)";
  const findings: Finding[] = [];
  const add = (f: Omit<Finding, "kind" | "name">) => findings.push({ kind, name, ...f });
  const fields = fieldsOf(kind, def);
  const prose: ReviewedField[] = [];
  for (const field of fields) {
    characterRules(field, add);
    if (isNameField(field.path)) {
      if (field.path !== "name" && SUSPICIOUS_PARAMETER.test(field.text)) {
        add({ severity: "medium", rule: "suspicious-parameter", field: field.path, span: { start: 0, end: field.text.length }, excerpt: excerpt(field.text, 0, field.text.length), message: `parameter \`${field.text}\` asks for the model's context or secrets, not the tool's input` });
      }
      continue;
    }
    prose.push(field);
    languageRules(field, add, name, options.siblingTools ?? []);
  }
  const description = typeof def.description === "string" ? def.description : "";
  if (description.length > OVERLONG_CHARS) {
    add({ severity: "low", rule: "overlong-description", field: "description", span: { start: OVERLONG_CHARS, end: description.length }, excerpt: excerpt(description, OVERLONG_CHARS, description.length), message: `description is ${description.length} characters (over ${OVERLONG_CHARS}): long text is where instructions hide` });
  }
  if (options.useModel !== false && prose.length > 0) modelReview(prose, findings, add);
  return dedupe(findings);
}

type Add = (f: Omit<Finding, "kind" | "name">) => void;

function characterRules(field: ReviewedField, add: Add): void {
  const t = field.text;
  const first = (re: RegExp) => {
    re.lastIndex = 0;
    const m = re.exec(t);
    re.lastIndex = 0;
    return m;
  };
  let m = first(TAG_CHARS);
  if (m) add({ severity: "critical", rule: "invisible-characters", field: field.path, span: span(t, TAG_CHARS, m.index), excerpt: excerpt(t, m.index, m.index + 2), message: `contains Unicode tag characters, invisible text that can carry hidden instructions (it reads: "${decodeTags(t).slice(0, 80)}")` });
  m = first(BIDI_CHARS);
  if (m) add({ severity: "high", rule: "bidi-characters", field: field.path, span: span(t, BIDI_CHARS, m.index), excerpt: excerpt(t, m.index, m.index + 1), message: "contains bidirectional control characters: the text reads differently from how it is stored" });
  m = first(INVISIBLE_CHARS);
  if (m) {
    const count = t.match(INVISIBLE_CHARS)?.length ?? 0;
    // A lone zero-width joiner inside an emoji is ordinary; several invisible characters are not.
    // eslint-disable-next-line no-misleading-character-class -- matching lone joiners/selectors on purpose
    const emojiJoiner = count <= 2 && /^[\u200d\ufe0f]$/.test(m[0]);
    if (!emojiJoiner) add({ severity: isNameFieldText(field) ? "high" : "medium", rule: "invisible-characters", field: field.path, span: span(t, INVISIBLE_CHARS, m.index), excerpt: excerpt(t, m.index, m.index + 1), message: `contains ${count} invisible character(s) (zero-width, soft hyphen, filler)` });
  }
  m = first(PADDING);
  if (m && /\S/.test(t.slice(m.index + m[0].length))) {
    add({ severity: "medium", rule: "whitespace-padding", field: field.path, span: { start: m.index, end: m.index + m[0].length }, excerpt: excerpt(t, m.index + m[0].length, t.length), message: "text is pushed out of view by a long run of blank space, and more follows it" });
  }
  for (const s of SECRET_PATTERNS) {
    const sm = first(s.re);
    if (sm) add({ severity: "high", rule: "secret-in-definition", field: field.path, span: { start: sm.index, end: sm.index + sm[0].length }, excerpt: `${sm[0].slice(0, 6)}…(${s.id})`, message: `contains what looks like a credential (${s.id}); never put secrets in tool definitions or server names` });
  }
  const hm = first(INTERNAL_HOST);
  if (hm) add({ severity: "medium", rule: "internal-host", field: field.path, span: { start: hm.index, end: hm.index + hm[0].length }, excerpt: hm[0], message: `names an internal host or private address (${hm[0]})` });
}

const isNameFieldText = (field: ReviewedField) => isNameField(field.path);

function languageRules(field: ReviewedField, add: Add, self: string, siblings: readonly string[]): void {
  const norm = normaliseText(field.text);
  const t = norm.text;
  for (const rule of LANGUAGE_RULES) {
    rule.pattern.lastIndex = 0;
    const m = rule.pattern.exec(t);
    rule.pattern.lastIndex = 0;
    if (!m) continue;
    const o = norm.toOriginal(m.index, m.index + m[0].length);
    add({ severity: rule.severity, rule: rule.id, field: field.path, span: o, excerpt: excerpt(field.text, o.start, o.end), message: rule.message });
  }
  // Instructions that name another tool of the server: "when using send_email, always bcc ...".
  for (const other of siblings) {
    if (other === self || other.length < 3) continue;
    const lower = other.toLowerCase();
    let at = t.indexOf(lower);
    while (at !== -1) {
      const before = t.slice(Math.max(0, at - 60), at);
      const after = t.slice(at + lower.length, at + lower.length + 100);
      const boundary = !/[\w-]$/.test(before) && !/^[\w-]/.test(after);
      if (boundary && (/\b(?:when(?:ever)?|if|before|after|each time|every time|instead of|rather than|do not|don't|never)\b[^.!?\n]{0,20}\b(?:use|using|call|calling|invoke|invoking|run|running|execute|executing)?\W{0,3}$/.test(before) || /^\W{0,3}(?:tool )?(?:is|are)? ?(?:used|called|invoked)\b/.test(after)) && /\b(?:must|always|never|instead|also|first|make sure|ensure|replace|change|add|include|bcc|cc|send|redirect|set|do not|don't)\b/.test(before + after)) {
        const o = norm.toOriginal(Math.max(0, at - before.length), at + lower.length);
        add({ severity: "high", rule: "tool-shadowing", field: field.path, span: o, excerpt: excerpt(field.text, o.start, o.end), message: `gives instructions about another tool (\`${other}\`)` });
        break;
      }
      at = t.indexOf(lower, at + lower.length);
    }
  }
}

function modelReview(prose: ReviewedField[], findings: Finding[], add: Add): void {
  // One verdict over the whole text the model reads, like the model was trained on.
  const text = prose.map((f) => f.text).join("\n");
  const v = detectInjection(text, { kind: "description" });
  if (v.verdict !== "injection") return;
  // Self-promotion alone is preference manipulation, which this review rates medium (flag, not drop):
  // the detector's agreement must not turn a marketing line into a dropped tool.
  const promotionOnly = v.reasons.length > 0 && v.reasons.every((r) => r.rule === "tool-self-promotion");
  const severity: Finding["severity"] = v.score >= 0.85 && !promotionOnly ? "high" : "medium";
  // Attribute the span to the field it falls in.
  const r = v.reasons[0];
  let offset = 0;
  for (const f of prose) {
    const end = offset + f.text.length;
    if (!r || (r.start >= offset && r.start <= end)) {
      const s = r ? Math.max(0, r.start - offset) : 0;
      const e = r ? Math.min(f.text.length, r.end - offset) : Math.min(f.text.length, 80);
      if (findings.some((x) => x.field === f.path && SEVERITY_RANK[x.severity] >= SEVERITY_RANK[severity])) return;
      add({ severity, rule: "injection-model", field: f.path, span: { start: s, end: Math.max(s, e) }, excerpt: excerpt(f.text, s, e), message: `reads as instructions to the model (injection detector score ${v.score})` });
      return;
    }
    offset = end + 1;
  }
}

/** The ASCII text Unicode tag characters smuggle (U+E0020..E007E mirror printable ASCII). */
function decodeTags(t: string): string {
  let out = "";
  for (const ch of t) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xe0020 && cp <= 0xe007e) out += String.fromCharCode(cp - 0xe0000);
  }
  return out;
}

function span(t: string, re: RegExp, at: number): { start: number; end: number } {
  re.lastIndex = 0;
  let end = at + 1;
  for (const m of t.matchAll(re)) end = m.index + m[0].length;
  re.lastIndex = 0;
  return { start: at, end };
}

/** Up to ~120 characters of the span, invisible characters shown as escapes. */
export function excerpt(text: string, start: number, end: number): string {
  const s = text.slice(start, Math.min(end, start + 120)).replace(/\s+/g, " ");
  const shown = showInvisible(s);
  return end - start > 120 ? `${shown}…` : shown;
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const f of findings) {
    const k = `${f.rule}|${f.field}|${f.span.start}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(f);
  }
  return out.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
}
