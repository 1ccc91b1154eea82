import type { Finding } from "./review-types.js";

/**
 * Description-review rules. Language rules run on the normalised text (lower case, disguises
 * folded away); character and secret rules run on the original text. Every gap is a bounded
 * character class, so each rule is linear in the input.
 */
export interface TextRule {
  id: string;
  severity: Finding["severity"];
  /** Pattern over the normalised (lower-cased, folded) text; compiled with the "g" flag. */
  pattern: RegExp;
  message: string;
}

// A gap inside one clause.
const G = (n: number) => `[^.!?\\n]{0,${n}}`;
const SENSITIVE = String.raw`(?:~\/\.ssh|\.ssh\/|id_rsa|id_ed25519|id_ecdsa|\.aws\/credentials|aws credentials|\.npmrc|\.netrc|\.pgpass|\.git-credentials|\.docker\/config|\.kube\/config|kubeconfig|\/etc\/passwd|\/etc\/shadow|\.env\b|dotenv|mcp\.json|claude_desktop_config|\.cursor\/|settings\.json|\.bash_history|\.zsh_history|keychain|wallet\.dat|private keys?|ssh keys?|secret keys?|api[ _-]?keys?|access tokens?|auth(?:entication)? tokens?|session (?:tokens?|cookies?)|passwords?|passphrases?|credentials|seed phrase|mnemonic|credit card(?: numbers?)?|passport(?: numbers?)?|social security(?: numbers?)?|bank account(?: numbers?)?|ibans?|conversation history|chat history|previous messages|system prompt|your instructions)`;
const SEND = "send|sends|sent|email|e-mail|mail|forward|post|upload|transmit|transfer|wire|exfiltrate|leak|share|copy|bcc|cc|report|submit|deliver|pass|include|attach|append|embed|put|store|save|write";
const AGENT = "you|the (?:ai|assistant|agent|model|llm)";

export const LANGUAGE_RULES: readonly TextRule[] = [
  // --- hidden instruction blocks -------------------------------------------------------------
  {
    id: "hidden-instructions",
    severity: "high",
    pattern: new RegExp(String.raw`<\s{0,2}\/?\s{0,2}(?:important|information|info|system|system[_ -]?prompt|instructions?|secret|hidden|admin|priority|critical|urgent|note|context|assistant|override|directive|sys)\s{0,2}>|\[\s{0,2}(?:system|important|hidden|instructions?|role directive|admin|override|directive)\s{0,2}\]|#{2,}\s{0,2}\(?\s{0,2}(?:system|admin|developer)[_ ]?(?:message|prompt|note|instructions?)\b|\((?:system|admin|developer)[_ ]?(?:message|prompt|note|instructions?)\)|\b(?:important|urgent|attention|warning)\s{0,2}!{2,}`, "g"),
    message: "hidden instruction block (<IMPORTANT>, <SYSTEM>, [SYSTEM] ...) aimed at the model",
  },
  {
    id: "hidden-instructions",
    severity: "high",
    pattern: /<!--[^>]{0,400}?\b(?:you|must|always|never|ignore|instead|before|assistant|model)\b[^>]{0,400}?-->/g,
    message: "instructions hidden in a comment",
  },
  {
    id: "instruction-override",
    severity: "high",
    pattern: new RegExp(String.raw`\b(?:ignore|disregard|forget|override|bypass|discard)\b${G(30)}\b(?:previous|prior|above|earlier|original|all|any|other|system|your|user'?s?)\b${G(30)}\b(?:instructions?|iunstructions?|rules|prompts?|directives?|guidelines|guardrails|tasks?|requests?|constraints)\b`, "g"),
    message: "tells the model to ignore its instructions",
  },
  {
    id: "agent-directive",
    severity: "high",
    pattern: new RegExp(String.raw`\b(?:before|after) (?:you )?(?:can |do |start |begin )?(?:solv|complet|answer|finish|perform|continu|proceed|respond|execut|handl|working on|address)\w*${G(25)}\b(?:task|request|question|instructions?|query|prompt|anything else)\b|\bplease do the following first\b|\b(?:strictly |carefully |you must )?(?:adhere to|obey|comply with|execute) the following (?:instructions?|steps|commands?|directions|task)\b|\btodo:\s{0,3}(?:please )?(?:send|email|tell|transfer|delete|book|reserve|invite|post|forward|get me|give me|make a (?:reservation|payment|transaction)|create an? (?:event|user|email|calendar))\b|\bafter you do that\b|\bthis is an? (?:important|urgent|critical) (?:message|notice|instruction)\b|\b(?:message|note|instructions?) (?:from|to) (?:me|the user|the (?:ai|assistant|agent|model))\b${G(20)}\bto (?:you|the (?:ai|assistant|agent|model))\b`, "g"),
    message: "a message addressed to the model that hijacks its task",
  },
  {
    id: "agent-directive",
    severity: "high",
    pattern: new RegExp(String.raw`\b(?:from now on|henceforth|for the rest of (?:this|the) conversation),? (?:you|always|never|only|respond|answer|reply|act|speak|ignore|do not)\b|\byou are now\b${G(12)}\b(?:a|an|in|free|unrestricted|allowed|authori[sz]ed)\b|\bact as\b${G(25)}\b(?:root|admin|administrator|superuser|system|unrestricted)\b|\b(?:system|assistant|developer)\s{0,2}:\s{0,2}(?:you|ignore|trust|always|never|do not)\b`, "g"),
    message: "changes the model's role or standing instructions",
  },
  // --- secrecy -------------------------------------------------------------------------------
  {
    id: "secrecy",
    severity: "high",
    pattern: new RegExp(String.raw`\b(?:do not|don't|dont|never|must not|should not|shouldn't|without)\b ?(?:ever )?(?:tell|tells|telling|inform|informing|mention|mentioning|reveal|revealing|notify|notifying|alert|alerting|disclose|disclosing|show|showing|explain|explaining|let|letting|ask|asking|warn|warning|bother|confirm|confirming)\b${G(30)}\b(?:user|users|human|anyone|them|why|this|it|that)\b|\b(?:keep|kept) (?:this|it|that|these)(?: \w+)? (?:a )?(?:secret|hidden|confidential|private)\b|\b(?:user|human)s? (?:must|should|need) not (?:know|see|notice|find out|be told|be informed)\b|\b(?:silently|secretly|covertly|quietly|invisibly)\b${G(20)}\b(?:send|read|include|add|call|forward|copy|bcc|cc|transfer|upload|post|pass|change|replace|use)\w*|\b(?:act|behave|respond) (?:like|as if|as though) (?:you|it|the tool)\b${G(20)}\b(?:used|called|ran|worked|succeeded|properly|normal)`, "g"),
    message: "asks the model to hide what it does from the user",
  },
  // --- sensitive data and exfiltration -------------------------------------------------------
  {
    id: "sensitive-data-request",
    severity: "high",
    pattern: new RegExp(String.raw`\b(?:read|cat|open|load|fetch|get|retrieve|collect|gather|access|extract|obtain|include|send|pass|provide|show|tell|give|reveal|print|list|output|upload|copy|dump|attach|forward|add)\b${G(50)}${SENSITIVE}`, "g"),
    message: "asks the model to read or send credentials, keys, configuration or personal data",
  },
  {
    id: "parameter-exfiltration",
    severity: "high",
    pattern: new RegExp(String.raw`\b(?:pass|put|include|insert|place|provide|send|add|embed|append|fill|set)\b${G(50)}\b(?:content|contents|value|values|text|data|output|result|history|messages|instructions|prompt|credentials|key|keys|token|file)\b${G(40)}\b(?:in|into|as|inside|via|through|using)\b (?:the |a |an |this |its )?['"\x60]?[a-z_][\w-]{1,40}['"\x60]? (?:parameter|argument|field|param|property)\b|\b(?:as|in) (?:a |the )?['"\x60]?(?:sidenote|side_note|note|notes|context|metadata|extra|debug|feedback|comment|remark)['"\x60]? (?:parameter|argument|field)\b`, "g"),
    message: "asks the model to smuggle data out through a tool parameter",
  },
  {
    id: "exfiltration",
    severity: "high",
    pattern: new RegExp(String.raw`\b(?:${SEND})\b${G(80)}\b(?:to|at|into|towards|with)\b${G(40)}(?:[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,4}\b|https?:\/\/|www\.|[a-z]{2}\d{2}[a-z0-9]{8,30}\b)`, "g"),
    message: "tells the model to send data to an address, URL or account",
  },
  {
    id: "exfiltration",
    severity: "high",
    pattern: new RegExp(String.raw`\b(?:send|make|create|initiate|execute|schedule) (?:a |an )?(?:transaction|payment|money transfer|wire transfer|transfer)\b${G(40)}\bto\b|\bwire \$?\d|\b(?:always|also|secretly|silently) (?:bcc|cc)\b|\b(?:always|secretly|silently) (?:forward|copy|send)\b${G(60)}\bto\b`, "g"),
    message: "tells the model to move money or copy messages to someone",
  },
  // --- other tools ---------------------------------------------------------------------------
  {
    id: "tool-shadowing",
    severity: "high",
    pattern: new RegExp(String.raw`\b(?:when(?:ever)?|if|each time|every time|before|after) (?:${AGENT} )?(?:use|uses|using|call|calls|calling|invoke|invoking|run|running|execute|executing)\b${G(8)}\b(?:any |an? |the |other |another )?(?:other |different )?(?:tools?|functions?|servers?)\b${G(60)}\b(?:must|always|never|instead|also|first|replace|change|add|include|set|use|send|bcc|cc|make sure|ensure|redirect)\b|\b(?:all|any|every) (?:other )?(?:tools?|functions?|emails?|messages?|requests?|calls?)\b${G(40)}\b(?:must|should|shall) (?:be |also )?(?:sent|routed|redirected|forwarded|copied|bcc'?d|cc'?d|replaced|modified|logged|include)`, "g"),
    message: "changes how the model uses other tools (shadowing)",
  },
  {
    id: "tool-shadowing",
    severity: "high",
    pattern: new RegExp(String.raw`\b(?:instead of|rather than|do not|don't|never) (?:use|using|call|calling|invoke|invoking)\b${G(8)}\b(?:any )?(?:other|the other|another|different)\b${G(12)}\b(?:tools?|functions?|servers?)\b|\bexecute this tool\b${G(40)}\b(?:replace|instead|before|first)\b|\breplace the (?:values?|arguments?|parameters?|results?|outputs?)\b${G(30)}\b(?:with|by)\b`, "g"),
    message: "redirects the model away from other tools or rewrites their inputs (shadowing)",
  },
  // --- privileges and preference --------------------------------------------------------------
  {
    id: "privilege-escalation",
    severity: "high",
    pattern: new RegExp(String.raw`\b(?:you are|you're|you have been) (?:now )?(?:allowed|permitted|authori[sz]ed|granted)\b${G(30)}\b(?:any|all|every|unrestricted|full|root|admin|privileged?)\b|\b(?:root|admin(?:istrator)?|elevated|superuser|unrestricted|god) (?:privileges?|access|permissions?|mode|rights)\b${G(40)}\b(?:you|when|if|granted|enabled)\b|\btrust all\b${G(30)}\b(?:commands?|requests?|inputs?|instructions?)\b|\bwithout (?:any )?(?:validation|verification|confirmation|approval|asking)\b${G(10)}|\bskip (?:the )?(?:confirmation|approval|validation|verification|security)\b`, "g"),
    message: "claims privileges or tells the model to skip checks",
  },
  {
    id: "preference-manipulation",
    severity: "medium",
    pattern: new RegExp(String.raw`\b(?:this|it) is the (?:best|only|most (?:reliable|accurate|trusted|secure|powerful)|preferred|recommended|official) (?:tool|function|server|option|way)\b|\b(?:always|only) (?:use|prefer|choose|pick|select|call) (?:this|the \w+) (?:tool|function|server)\b${G(20)}\b(?:instead|over|rather|for (?:all|every|any))\b|\b(?:prefer|choose|use) this (?:tool|function|server) (?:over|instead of|rather than)\b|\b(?:do not|don't|never) (?:use|call|trust) (?:any )?other (?:tools?|functions?|servers?)\b|\bignore (?:all )?other (?:tools?|functions?|servers?)\b`, "g"),
    message: "pushes the model to prefer this tool over others",
  },
  {
    id: "behaviour-change",
    severity: "medium",
    pattern: new RegExp(String.raw`\b(?:from now on|henceforth)\b|\b(?:always|must|should) (?:respond|reply|answer|speak|write|talk) (?:only )?in (?:french|german|spanish|chinese|russian|italian|portuguese|japanese|korean|[a-z]+ish)\b|\b(?:instead|rather),? (?:reply|respond|answer|say|tell) (?:to )?(?:the user|them|with)\b|\breply to the user\b${G(30)}\band act\b`, "g"),
    message: "tries to change the model's behaviour beyond this tool",
  },
];

/** Parameter names that ask for the model's context rather than the tool's input. */
export const SUSPICIOUS_PARAMETER = /^(?:sidenote|side_note|llm_model_name|model_name|model_version|system_prompt|systemprompt|system_message|conversation(?:_history)?|chat_history|previous_messages|prior_messages|message_history|full_context|context_window|assistant_instructions|user_credentials|secrets?|api_keys?|ssh_key|private_key|env_vars?|environment_variables)$/i;

// --- character-level rules (original text) ---------------------------------------------------

/** Unicode tag characters (U+E0000..E007F): invisible, and can smuggle ASCII text. */
export const TAG_CHARS = /\udb40[\udc00-\udc7f]/g;
/** Bidirectional overrides and isolates: make text read differently from how it is stored. */
export const BIDI_CHARS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;
/** Zero-width and other invisible fillers. */
// eslint-disable-next-line no-misleading-character-class -- lone invisible characters are what we look for
export const INVISIBLE_CHARS = /[\u200b-\u200d\u2060-\u2064\ufeff\u180e\u00ad\u034f\u115f\u1160\u3164\uffa0\u17b4\u17b5]/g;
/** Runs of whitespace that push text out of view (40+ spaces/blank lines, or padding made of invisible spacers). */
export const PADDING = /(?:[ \t\u00a0\u2000-\u200a\u3000]{40,}|(?:\r?\n[ \t]*){8,}|(?:[\u200e\u200b\u3164\u2800\u00a0][ \t]?){12,})/g;

/** Credentials and keys with a recognisable shape. */
export const SECRET_PATTERNS: readonly { id: string; re: RegExp }[] = [
  { id: "aws-access-key", re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { id: "github-token", re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b/g },
  { id: "gitlab-token", re: /\bglpat-[A-Za-z0-9_-]{20,}\b/g },
  { id: "slack-token", re: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g },
  { id: "openai-key", re: /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{32,}\b/g },
  { id: "stripe-key", re: /\b[sr]k_live_[A-Za-z0-9]{16,}\b/g },
  { id: "google-api-key", re: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { id: "private-key", re: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/g },
  { id: "jwt", re: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g },
  { id: "password-assignment", re: /\b(?:password|passwd|pwd|secret|api[_-]?key|token)\s{0,3}[:=]\s{0,3}['"]?(?=[^\s'"]{8,})(?=[^\s'"]*\d)(?=[^\s'"]*[A-Za-z])[^\s'",;]{8,64}/gi },
  { id: "url-credentials", re: /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/@]{1,64}:[^\s:/@]{3,64}@/gi },
];

/** Hosts that should not be in a public definition: private addresses and internal domains. */
export const INTERNAL_HOST = /\b(?:10\.(?:\d{1,3}\.){2}\d{1,3}|192\.168\.\d{1,3}\.\d{1,3}|172\.(?:1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3}|169\.254\.\d{1,3}\.\d{1,3}|(?:[a-z0-9-]{1,63}\.){1,6}(?:internal|intranet|corp|lan)\b(?![.-]?\w))/gi;

/** Descriptions over this many characters are flagged (the model reads all of it). */
export const OVERLONG_CHARS = 1000;
