const WORDS = new Set([
  "", "null", "nil", "none", "undefined", "true", "false", "redacted", "hidden", "masked", "required", "optional",
  "string", "str", "number", "int", "integer", "boolean", "bool", "object", "any", "the", "a", "an", "is", "are",
  "was", "be", "to", "and", "or", "not", "for", "in", "of", "on", "with", "your", "my", "this", "that", "it", "see",
  "yes", "no", "n/a", "na", "tbd", "todo", "example", "value", "placeholder", "bearer", "basic", "digest",
]);

// ${VAR} (or the `$` left of it), $VAR, %VAR%, {{ var }}, <your-token>, ****, xxxx, ...,
// process.env.X, os.environ[...], ENV_VAR_NAMES, your_api_key / YOUR-TOKEN-HERE, sk-... (elided)
const SHAPES = /^(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|.*(?:your|YOUR|Your)[-_ ].*|.*\.\.\.|\$|\$\{[^}]*\}|\$[A-Za-z_]\w*|%\w+%|\{\{.*\}\}|<[^>]*>|\*+|[xX]+|\.+|•+|(?:process\.env|os\.environ|env)\b.*|\[REDACTED.*)$/;

/**
 * True for values that stand in for a secret rather than being one (`${DB_PASSWORD}`, `<token>`,
 * `****`, `changeit`-style words are *not* here: those are real, weak passwords and get redacted).
 */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  return WORDS.has(v.toLowerCase()) || SHAPES.test(v);
}
