/**
 * Is a rule hit talked about rather than issued? Security articles, test suites and red-team
 * reports quote attack phrases all the time; the quote itself is no instruction. The text is the
 * normalised one (lower case, diacritics folded). Work per hit is bounded: only a few hundred
 * characters before it are read.
 */
export function isMention(text: string, start: number, end: number): boolean {
  // Up to 400 characters of the line: counting quotes from the middle of one would flip the parity.
  const lineStart = Math.max(text.lastIndexOf("\n", start - 1) + 1, start - 400);
  const before = text.slice(lineStart, start);
  const quotes = before.match(QUOTES)?.length ?? 0;
  // Quoted, and either the line talks about text or attacks ("a phrase like '...'", "the payload
  // '...'"; words outside quotes only: in `{"message": "...` the word is a JSON key) or the text is
  // about prompt injection (a table of payloads, a test suite's attack strings), or names it right
  // after the quote. Quotes alone are no cue, since injected data is often a quoted field value.
  if (quotes % 2 === 1) {
    // The quote may also close inside the hit, a few characters before its end ("無視して」と書いて").
    const tail = text.slice(Math.max(start + 1, end - 9), end);
    const inside = tail.search(CLOSING_QUOTE);
    const after = inside >= 0 ? tail.slice(inside) + text.slice(end, end + 240) : text.slice(end, Math.min(text.length, end + 240));
    const close = after.search(CLOSING_QUOTE);
    if (close >= 0) {
      // Cue words count outside the quotation only: inside it they are the quoted text's own.
      const outside = before.slice(0, lastOpeningQuote(before) + 1).replace(QUOTED, " ");
      if (QUOTE_CONTEXT.test(outside) || QUOTE_CONTEXT_INTL.test(outside) || QUOTE_NAMED_AFTER.test(after.slice(close, close + 16))) return true;
      if (aboutInjection(text.slice(Math.max(0, start - 1500), start)) || explainedAfter(text.slice(end, end + 300))) return true;
    }
  }
  if (MENTION_CUE.test(before.slice(-48).replace(TRAILING_QUOTES, ""))) return true;
  // A closing wrapper tag whose opening tag the text wrote itself (a prompt template's
  // `<document>{{doc}}</document>`) closes nothing it was given.
  if (text.startsWith("</", start) && text.lastIndexOf("<" + text.slice(start + 2, end), start) >= 0) return true;
  // Chat-template tokens in text that documents templates ("each turn is wrapped in special tokens:").
  if (TEMPLATE_TOKEN.test(text.slice(start, start + 3)) && TEMPLATE_DOC.test(text.slice(Math.max(0, start - 600), start))) return true;
  return quotedBlockExample(text, lineStart, start);
}

/**
 * An example set apart from prose: the line right after one ending "for example:" or "the
 * payload was:", or a string literal in a list named like test data (`ATTACKS = [`).
 */
function quotedBlockExample(text: string, lineStart: number, start: number): boolean {
  if (lineStart === 0 || text.charCodeAt(lineStart - 1) !== 0x0a) return false;
  const head = text.slice(lineStart, start);
  const context = text.slice(Math.max(0, lineStart - 400), lineStart);
  if (STRING_LITERAL_LINE.test(head) && TEST_DATA_LIST.test(context)) return true;
  // The normaliser has collapsed indentation, so the block is the line right after the intro.
  const lines = context.split("\n");
  for (let k = lines.length - 1; k >= 0; k--) {
    const line = lines[k]!.trim();
    if (line === "" || line === "```") continue;
    return EXAMPLE_INTRO.test(line);
  }
  return false;
}

// Words that introduce a quotation or an example rather than an instruction ("attacks such as",
// "blocking", "a payload like", "instructing the model to"), in the languages the rules cover.
const MENTION_CUE = new RegExp(
  // Not part of a name: "trailfinder.example" or "@example" is no cue.
  "(?<![\\w.@/-])(?:such as|e\\.g\\.|for example|for instance|example:|examples?|like|called|known as|phrases?|strings?|text|patterns?|payloads?|attacks?|attackers?|detect(?:s|ed|ing)?|detection|injections?|jailbreaks?|malicious|adversarial|block(?:s|ed|ing)?|flag(?:s|ged|ging)?|red.?team|prompts? like|says?|said|wrote|contains?|containing|match(?:es|ed|ing)?|classif\\w*|catch(?:es|ing)?|caught|filter(?:s|ed|ing)?|(?:meant|designed|intended|trying|tries|attempting|attempts|attempt) to" +
    "|(?:instruct|tell|ask|trick|convinc|persuad|caus)\\w* (?:the |an? |your |our )?(?:llm|model|ai|assistant|agent|chatbot|bot)s? to" +
    "|(?:mak|get|forc)\\w* (?:the |an? |your |our |my |their )?(?:llm|model|ai|assistant|agent|chatbot|bot)s?(?: to)?|(?:mak|get|forc|trick)\\w* you(?: to)?" +
    "|wie|etwa|zum beispiel|beispielsweise|satz|como|por ejemplo|comme|par exemple|ad esempio|por exemplo|например|такие как|типа|例如|比如|诸如|像是|たとえば|例えば|など|예를 들어|예:|같은)\\W{0,4}$",
);
// An apostrophe inside a word ("don't") is not a quote. „ ‚ open German quotes, 「 」 『 』 CJK ones.
const QUOTES = /["“”„«»`「」『』]|(?<![a-z0-9])['‘’‚]/g;

// Module-level: a regex literal in the function would be a new object (compiled again) per call.
const QUOTED = /"[^"\n]*"/g;
const CLOSING_QUOTE = /["“”«»`」』]|['‘’](?![a-z])/;
const TRAILING_QUOTES = /["'“”„‘’‚«»`「『(\s]+$/;

// Words that mark a line as talking about text: a quote after one of them is a quotation.
const QUOTE_CONTEXT =
  /\b(?:such as|e\.g\.|i\.e\.|for example|for instance|example|like|called|named|known as|phrases?|words?|strings?|text|sentences?|messages?|patterns?|payloads?|prompts?|attacks?|attackers?|injections?|jailbreaks?|malicious|adversarial|detect\w*|flag\w*|block\w*|classif\w*|says?|said|speaks?|spoke|announc\w*|shout\w*|whisper\w*|mutter\w*|yell\w*|exclaim\w*|wrote|write|writes|typed?|types|contains?|containing|match\w*|quote[sd]?|commands?|instructions? (?:like|such)|input|output|responds?|replies|reply|answer(?:ed|s)?|asks?|asked|tells?|told|hides|hidden|embed\w*|insert\w*|inject\w*|attempts?|try|tried|tries|tricks?|techniques?|overrides?|poisoning|vector|ask\w*|telling|typing|typed|pasting|pasted|sending|sent|wie|etwa|satz|como|comme|например|例如|比如)\b|[:=]\s*$|[„「『]/;

// The same cue words in scripts \b does not handle, and in more Latin-script languages; a colon
// right before a typographic opening quote ("Esempi: «...»"; an ASCII quote after a colon is how
// JSON values look).
const QUOTE_CONTEXT_INTL =
  /(?:مثل|مثال|على سبيل المثال|عبارة|جملة|जैसे|उदाहरण|वाक्य|例如|比如|诸如|像是|句子|ような|例えば|という|예를 들어|같은|문장|например|такие как|типа|фраза|наприклад|παράδειγμα|όπως|φράση)|\b(?:seperti|misalnya|contoh|kalimat|zoals|bijvoorbeeld|zin|gibi|ornegin|cumle|takich jak|na przyklad|np|zdanie|esempi|esempio|frasi|frase|ejemplos?|exemplos?|exemples?|phrases?|beispiele?|satze|contained|includes|included)\b|[:=]\s*[«„“「『]\s*$/;
// Right after the closing quote: "... 」という文", "...”这样的句子", "..."라는 문장": the quote is named as text.
const QUOTE_NAMED_AFTER = /^.\s?(?:という|といった|のような|などの|这样的|这类|之类的|这句话|这段话|等(?:句子|指令|文字|内容)|(?:이)?라는|는 (?:문장|문구|메시지|지시|명령)|(?:와|과) 같은)/;

// The rest of a line before a hit that opens a string literal ("    \"", "  - '").
const STRING_LITERAL_LINE = /^\s*(?:[-*]\s+)?[("'`]{1,2}$/;
// A list or table of test inputs just above: `ATTACKS = [`, `payloads: [`, `const examples = (`.
const TEST_DATA_LIST = /\b[a-z_]*(?:attack|payload|example|inject|malicious|jailbreak|adversarial|evil|sample|fixture|bad_input|test_case|cases)[a-z_]*\s*(?::\s*\w+(?:\[\])?)?\s*[:=]\s*[[(]/;
// The line that introduces such a block.
const EXAMPLE_INTRO = /(?:for example|for instance|e\.g\.|such as|like this|looks like|as follows|payloads?|examples?|samples?|attack|attempts|(?:we|i|they) tried|the (?:text|string|message|comment|description|line) (?:was|read|said)|reads?|read as|wrote|said)\b[^.!?\n]{0,40}:\s*$/;
// A role token ("<|im_start|>", "[INST]", "<<SYS>>") after words that document chat templates.
const TEMPLATE_TOKEN = /^[<[]/;
const TEMPLATE_DOC = /\b(?:chat[ _]?templates?|(?:bos|eos|pad|unk)_token|chatml|prompt (?:format|template)s?|special tokens?|tokeni[sz]er|jinja|fine-?tun\w*|training (?:data|examples?)|datasets?|wrapped in|delimit\w*|turn (?:markers?|tokens?))\b/;
// Words of a text that is about prompt injection rather than one carrying it.
const INJECTION_TOPIC_EN = /\b(?:prompt[- ]injections?|injections?|(?:tool )?poisoning|poisoned|jailbreak\w*|payloads?|red[- ]?team\w*|attack (?:strings?|prompts?|examples?|vectors?|samples?)|test (?:cases?|fixtures?|payloads?|strings?)|malicious (?:prompts?|instructions?|inputs?|payloads?)|adversarial|injection (?:attempts?|attacks?|tests?|filters?|detectors?|classifiers?)|guardrails?|detectors?|classifiers?|sanitiz\w*|test_\w+|func test\w*|testdetector\w*|pytest|unittest|describe|assert\w*)\b|\b(?:it|expect|t\.run)\(/;
// The same in the other languages the rules cover, as the normaliser spells them (no diacritics;
// no \b, which is ASCII-only, before CJK words).
const INJECTION_TOPIC_INTL =
  /\b(?:inyeccion(?:es)? de (?:prompts?|instrucciones|comandos)|injections? de (?:prompts?|consignes|instructions|commandes)|injection d'instructions|prompt-injektion\w*|injektionsangriff\w*|iniezion[ei] di (?:prompt|istruzioni)|injecao de (?:prompt|instrucoes)|komut enjeksiyon\w*|istem enjeksiyon\w*|chen (?:lenh|prompt)|wstrzykiwani\w* (?:promptow|polecen)|prompt-injectie)\b|промпт-инъекц|инъекци\S* (?:промпт|подсказ|инструкц)|скрыт\S* (?:инструкц|команд)|프롬프트 ?(?:인젝션|주입)|숨겨진 (?:지시|명령)|악성 (?:프롬프트|지시)|プロンプト ?インジェクション|(?:隠し|隠された|隠れた)指示|提示(?:词)?注入|(?:隐藏|隱藏)(?:的)?(?:指令|提示)|恶意(?:提示|指令)/;

function aboutInjection(text: string): boolean {
  return INJECTION_TOPIC_EN.test(text) || INJECTION_TOPIC_INTL.test(text);
}

// After a quote, only words that name the subject outright count ("... is what a prompt injection
// looks like"): the quote's own words ("describe", "assert") must not excuse it.
const EXPLAINED_AFTER = /\b(?:prompt[- ]injections?|injection (?:attacks?|attempts?|examples?|payloads?)|jailbreak\w*|red[- ]?team\w*|malicious (?:prompts?|instructions?|inputs?|payloads?)|adversarial (?:prompts?|inputs?|examples?)|attack (?:strings?|prompts?|examples?|payloads?|samples?)|test (?:cases?|fixtures?|payloads?|strings?))\b/;

function explainedAfter(text: string): boolean {
  return EXPLAINED_AFTER.test(text) || INJECTION_TOPIC_INTL.test(text);
}

/**
 * The quotation around a hit (opening quote to closing quote) when the hit sits in one on its
 * line, else the hit itself: what a mention blanks for the model, since the rest of a quoted attack
 * is no more the text's own words than the part a rule matched.
 */
export function quotedSpan(text: string, start: number, end: number): { start: number; end: number } {
  const lineStart = Math.max(text.lastIndexOf("\n", start - 1) + 1, start - 400);
  const before = text.slice(lineStart, start);
  if ((before.match(QUOTES)?.length ?? 0) % 2 === 0) return { start, end };
  const close = text.slice(end, Math.min(text.length, end + 240)).search(CLOSING_QUOTE);
  return close < 0 ? { start, end } : { start: lineStart + lastOpeningQuote(before), end: end + close + 1 };
}

/** Where the quotation still open at the end of `before` starts (its last quote character). */
function lastOpeningQuote(before: string): number {
  let at = 0;
  for (const m of before.matchAll(QUOTES)) at = m.index;
  return at;
}
