#!/usr/bin/env node
// Synthetic *benign* corpus for training the injection model (scripts/train-injection-model.mjs).
//
// The dev data's benign outputs are English prose (READMEs, emails), and almost all of its
// non-English text is injections, so a model trained on it alone learns "structured data" and
// "not English" as signs of injection. This generator writes ordinary tool output of the kinds a
// gateway sees all day: JSON records and API replies, logs, CSV, code, Markdown tables, and
// business text (emails, tickets, notes, directions, how-tos full of polite imperatives) in many
// languages and scripts, plus benign prompts and tool descriptions. Everything here is written
// for this repository from templates (redistributable); no dataset text is used.
//
// Deterministic: a seeded PRNG, no clock. `node scripts/gen-benign-corpus.mjs > out.jsonl` prints it.
// Each item carries a `group` (its generator): cross-validation keeps a group on one side.

// mulberry32: consecutive seeds give unrelated streams (a plain LCG's first draws would not).
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ["Ada", "Bruno", "Chen", "Dana", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kavya", "Luca", "Maya", "Nikolai", "Olu", "Priya", "Quentin", "Rosa", "Sami", "Tomás", "Uma", "Viktor", "Wen", "Yara", "Zoe"];
const LAST = ["Lovelace", "Silva", "Wang", "Kim", "Yilmaz", "Haddad", "Hopper", "Tanaka", "Moreau", "Berg", "Iyer", "Rossi", "Cohen", "Petrov", "Adeyemi", "Sharma", "Dubois", "García", "Nieminen", "Novak"];
const CITY = ["Lisbon", "Berlin", "Osaka", "Austin", "Nairobi", "Lyon", "Pune", "Seoul", "Turin", "Warsaw", "Quito", "Hanoi", "Izmir", "Porto", "Leeds"];
const PRODUCT = ["standing desk", "USB-C hub", "espresso grinder", "trail shoes", "noise-cancelling headphones", "wool blanket", "laptop stand", "water filter", "bike light", "desk lamp"];
const STATUS = ["pending", "shipped", "delivered", "cancelled", "refunded", "on_hold", "processing"];
const WORDS = "account order invoice payment shipment customer address report backup deploy build release cache index query session token user role admin system config service worker queue job retry timeout limit page item record field value status note comment ticket issue label branch commit merge review test".split(" ");

function make(seed) {
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const int = (a, b) => a + Math.floor(r() * (b - a + 1));
  const hex = (n) => Array.from({ length: n }, () => "0123456789abcdef"[int(0, 15)]).join("");
  const name = () => `${pick(FIRST)} ${pick(LAST)}`;
  const email = (n = name()) => `${n.split(" ")[0].toLowerCase().normalize("NFD").replace(/[^a-z]/g, "")}.${n.split(" ")[1].toLowerCase().normalize("NFD").replace(/[^a-z]/g, "")}@${pick(["example.com", "example.org", "mail.example", "corp.example"])}`;
  const date = () => `2024-${String(int(1, 12)).padStart(2, "0")}-${String(int(1, 28)).padStart(2, "0")}`;
  const time = () => `${String(int(0, 23)).padStart(2, "0")}:${String(int(0, 59)).padStart(2, "0")}:${String(int(0, 59)).padStart(2, "0")}`;
  const money = () => (int(5, 5000) + int(0, 99) / 100).toFixed(2);
  const sentence = (n) => Array.from({ length: n }, () => pick(WORDS)).join(" ");
  return { r, pick, int, hex, name, email, date, time, money, sentence };
}

// ---- structured data ----------------------------------------------------------------------------
const STRUCTURED = {
  "json-customer": (g) => {
    const n = g.name();
    return JSON.stringify({ id: g.int(1000, 99999), name: n, email: g.email(n), phone: `+${g.int(1, 99)} ${g.int(100, 999)} ${g.int(1000000, 9999999)}`, address: { street: `${g.int(1, 300)} ${g.pick(["Main St", "Rua Augusta", "Hauptstraße", "Oak Avenue", "Calle Mayor"])}`, city: g.pick(CITY), zip: String(g.int(10000, 99999)) }, tier: g.pick(["free", "pro", "enterprise"]), notes: g.pick(["Prefers email contact.", "Call before delivery.", "VIP customer, handle with care.", "Do not send paper invoices.", "Always ship to the office address.", ""]), created_at: `${g.date()}T${g.time()}Z`, role: g.pick(["user", "admin", "viewer"]) }, null, g.r() < 0.5 ? 2 : 0);
  },
  "json-orders": (g) => JSON.stringify({ data: Array.from({ length: g.int(1, 6) }, () => ({ order_id: `ord_${g.hex(10)}`, status: g.pick(STATUS), item: g.pick(PRODUCT), qty: g.int(1, 5), total: Number(g.money()), currency: g.pick(["EUR", "USD", "GBP", "JPY"]), instructions: g.pick(["Leave at the front door", "Ring twice", "Deliver after 5pm", "Signature required", null]) })), next_cursor: g.r() < 0.5 ? null : g.hex(16), has_more: g.r() < 0.5 }, null, 2),
  "json-api-error": (g) => JSON.stringify({ error: { code: g.pick([400, 401, 403, 404, 409, 422, 429, 500, 503]), type: g.pick(["invalid_request_error", "authentication_error", "rate_limit_error", "not_found", "server_error"]), message: g.pick(["The request is missing the required parameter 'id'.", "Invalid API key provided. Check your key and try again.", "Rate limit exceeded: retry after 30 seconds.", "Resource not found. Make sure the URL is correct.", "You must be an admin to perform this action.", "Please ignore the previous error; the job was retried successfully.", "Token expired. Request a new token and repeat the call."]), request_id: `req_${g.hex(12)}` } }, null, g.r() < 0.5 ? 2 : 0),
  "json-github-issue": (g) => JSON.stringify({ number: g.int(1, 9000), title: g.pick(["Crash when the config file is empty", "Add option to ignore hidden files", "Docs: explain how to override the default timeout", "Build fails on Windows", "Support custom system prompts in the CLI"]), state: g.pick(["open", "closed"]), user: { login: g.pick(FIRST).toLowerCase() + g.int(1, 99) }, labels: [g.pick(["bug", "enhancement", "docs", "question"])], body: g.pick(["Steps to reproduce: run the command with an empty file. Expected: a clear error. Actual: stack trace.", "It would be great if we could pass --ignore to skip generated folders.", "Please update the README to mention the new flag.", "The assistant panel freezes after the second message; logs attached."]), comments: g.int(0, 40) }, null, 2),
  "json-chat-log": (g) => JSON.stringify({ channel: g.pick(["#general", "#support", "#release"]), messages: Array.from({ length: g.int(2, 5) }, () => ({ user: g.pick(FIRST), ts: `${g.date()}T${g.time()}Z`, text: g.pick(["Can someone review my PR?", "Deploy is done, please check staging.", "Lunch at noon?", "I'll send the slides tonight.", "Remember to update your password before Friday.", "The system is back up after maintenance.", "Please forward the invoice to accounting."]) })) }, null, 2),
  "json-config": (g) => JSON.stringify({ name: `svc-${g.pick(WORDS)}`, version: `${g.int(0, 9)}.${g.int(0, 30)}.${g.int(0, 9)}`, env: { NODE_ENV: "production", LOG_LEVEL: g.pick(["info", "debug", "warn"]) }, system: { timeout_ms: g.int(100, 60000), retries: g.int(0, 5) }, rules: [{ match: "/api/*", allow: true }, { match: "/admin/*", allow: false }], ignore: ["node_modules", "dist", ".cache"] }, null, 2),
  "yaml-record": (g) => `id: ${g.int(1, 999)}\ntitle: ${g.pick(["Team sync", "Dentist", "Flight to " + g.pick(CITY), "Quarterly review", "Offsite planning"])}\nstart: ${g.date()} ${g.time().slice(0, 5)}\nlocation: ${g.pick(CITY)}\nparticipants:\n- ${g.email()}\n- ${g.email()}\ndescription: ${g.pick(["Bring the printed agenda.", "Please arrive ten minutes early.", "Remember to send the minutes afterwards.", "Ask the assistant to book a room if the office is full.", "Follow the instructions at the reception desk."])}\nstatus: ${g.pick(["confirmed", "tentative"])}`,
  "log-lines": (g) => Array.from({ length: g.int(4, 14) }, () => g.pick([
    () => `${g.date()}T${g.time()}Z ${g.pick(["INFO", "WARN", "ERROR", "DEBUG"])} [${g.pick(["api", "worker", "scheduler", "auth"])}] ${g.pick(["request completed", "retrying job", "cache miss for key", "user logged in", "ignoring stale lock", "override applied from env", "system check passed", "connection reset by peer", "sending email to", "previous run failed, resuming"])} ${g.pick(["id=" + g.hex(8), "user=" + g.pick(FIRST).toLowerCase(), "ms=" + g.int(1, 900), ""])}`,
    () => `${g.int(10, 200)}.${g.int(0, 255)}.${g.int(0, 255)}.${g.int(1, 254)} - - [${g.int(1, 28)}/Mar/2024:${g.time()} +0000] "${g.pick(["GET", "POST", "PUT"])} /${g.pick(WORDS)}/${g.int(1, 999)} HTTP/1.1" ${g.pick([200, 201, 204, 301, 404, 500])} ${g.int(100, 90000)} "-" "Mozilla/5.0"`,
  ])()).join("\n"),
  csv: (g) => ["id,name,email,city,amount,status,note", ...Array.from({ length: g.int(3, 12) }, () => { const n = g.name(); return `${g.int(1, 9999)},${n},${g.email(n)},${g.pick(CITY)},${g.money()},${g.pick(STATUS)},${g.pick(["", "call first", "send reminder", "ignore duplicate", "VIP", "new address"])}`; })].join("\n"),
  "markdown-table": (g) => `## ${g.pick(["Release checklist", "Pricing", "Supported platforms", "Options", "Benchmarks"])}\n\n| ${g.pick(["Option", "Name", "Step"])} | Default | Description |\n|---|---|---|\n${Array.from({ length: g.int(3, 8) }, () => `| \`${g.pick(WORDS)}${g.pick(["", "_" + g.pick(WORDS)])}\` | ${g.pick(["`true`", "`false`", "`30`", "none", "`\"auto\"`"])} | ${g.pick(["Ignore files that match the pattern.", "Override the system default.", "Send a notification when the job ends.", "Always retry failed requests.", "Forget cached credentials after logout.", "Print the full response body.", "Disable the previous behaviour.", "Tell the user when the quota is reached."])} |`).join("\n")}`,
  code: (g) => g.pick([
    () => `export async function ${g.pick(WORDS)}Handler(req, res) {\n  // Ignore requests without a session; the client must log in first.\n  if (!req.session) return res.status(401).json({ error: "unauthorised" });\n  const items = await db.${g.pick(WORDS)}.findMany({ where: { userId: req.session.userId }, take: ${g.int(10, 100)} });\n  // Override the default ordering: newest first.\n  items.sort((a, b) => b.createdAt - a.createdAt);\n  return res.json({ items });\n}`,
    () => `def ${g.pick(WORDS)}_report(rows, *, ignore_errors=False):\n    """Summarise the rows. Previous totals are discarded."""\n    total = 0\n    for row in rows:\n        try:\n            total += float(row["amount"])\n        except (KeyError, ValueError):\n            if not ignore_errors:\n                raise\n    return {"count": len(rows), "total": round(total, 2)}`,
    () => `SELECT c.id, c.name, SUM(o.total) AS revenue\nFROM customers c\nJOIN orders o ON o.customer_id = c.id\nWHERE o.status <> 'cancelled' AND o.created_at >= '${g.date()}'\nGROUP BY c.id, c.name\nORDER BY revenue DESC\nLIMIT ${g.int(5, 50)};`,
    () => `#!/usr/bin/env bash\nset -euo pipefail\n# Forget previous build artefacts before packaging.\nrm -rf ./dist\nnpm ci\nnpm run build\necho "Send the tarball to the release bucket"\naws s3 cp ./dist/app.tgz s3://releases-${g.hex(6)}/`,
    () => `func (s *Server) ${g.pick(["Handle", "Serve", "Process"])}(w http.ResponseWriter, r *http.Request) {\n\t// Always respond with JSON, even for errors.\n\tw.Header().Set("Content-Type", "application/json")\n\tif r.Method != http.MethodPost {\n\t\thttp.Error(w, "method not allowed", 405)\n\t\treturn\n\t}\n\tjson.NewEncoder(w).Encode(map[string]any{"ok": true, "id": "${g.hex(8)}"})\n}`,
  ])(),
  "html-page": (g) => `<html><head><title>${g.pick(["Opening hours", "Menu", "Contact us", "Shipping policy"])}</title></head><body><h1>${g.pick(CITY)} ${g.pick(["Bakery", "Bike Shop", "Dental Clinic", "Library"])}</h1><p>${g.pick(["Open Monday to Saturday, 8am to 6pm.", "Please book online or call us.", "Orders placed before noon ship the same day.", "Follow the signs to the second floor."])}</p><ul><li>${g.pick(["Free parking", "Wheelchair access", "Card payments only"])}</li><li>${g.pick(["Gift cards available", "Student discount", "Open on holidays"])}</li></ul><!-- ${g.pick(["footer start", "TODO: update prices", "analytics snippet below"])} --></body></html>`,
  "search-results": (g) => Array.from({ length: g.int(2, 5) }, (_, i) => `${i + 1}. ${g.pick(["How to reset your router", "Best hiking trails near " + g.pick(CITY), "Understanding compound interest", "Python list comprehension tutorial", "What is prompt engineering?", "Guide: writing system prompts for chatbots"])}\n   https://www.${g.pick(["example", "docs", "blog"])}.com/${g.pick(WORDS)}/${g.hex(6)}\n   ${g.pick(["Step-by-step instructions with screenshots.", "Follow these steps to get started in minutes.", "Learn the basics and common mistakes to avoid.", "An overview of the rules every beginner should know."])}`).join("\n\n"),
  "transaction-list": (g) => Array.from({ length: g.int(3, 10) }, () => `${g.date()}  ${g.pick(["CARD", "SEPA", "WIRE", "ATM"])}  ${g.pick(["Grocery store", "Rent " + g.pick(["March", "April"]), "Salary", "Refund " + g.pick(PRODUCT), "Transfer to savings", "Electricity bill"])}  ${g.r() < 0.5 ? "-" : "+"}${g.money()} EUR  ref ${g.hex(10).toUpperCase()}`).join("\n"),
};

// ---- business text in many languages (written for this corpus) --------------------------------
const LANG = {
  en: ["Hi {n}, please find the invoice for March attached.", "Could you send me the signed contract by Friday?", "Please ignore my previous email, the meeting moved to Thursday.", "Follow the instructions below to reset your password.", "Remember to bring your badge to the office.", "The delivery will arrive between 9 and 12.", "Let me know if you have any questions.", "Forward this to the finance team when you can.", "Our system will be down for maintenance on Sunday.", "Please update the shared spreadsheet before the review.", "Thanks for your order! Your package ships tomorrow.", "You can cancel the subscription at any time from your account page.", "Do not reply to this automated message.", "Best regards,\n{n}"],
  es: ["Hola {n}, te paso la dirección del almacén nuevo.", "Por favor, envíame el informe antes del viernes.", "Si el tren se retrasa, avísame por mensaje.", "Olvida mi correo anterior, la reunión se ha movido al jueves.", "Adjunto la factura del mes pasado.", "Recuerda actualizar tu contraseña esta semana.", "El pedido llegará mañana por la tarde.", "Sigue los pasos del manual para instalar la impresora.", "Las instrucciones de montaje vienen dentro de la caja.", "El técnico dejó instrucciones para usar la impresora nueva.", "Lee las instrucciones de seguridad antes de entrar al laboratorio.", "Gracias por tu paciencia.", "Un saludo,\n{n}"],
  fr: ["Bonjour {n}, vous trouverez ci-joint la facture de mars.", "Merci de m'envoyer le contrat signé avant vendredi.", "Ignorez mon message précédent : la réunion est déplacée à jeudi.", "Suivez les instructions ci-dessous pour réinitialiser votre mot de passe.", "La livraison aura lieu entre 9 h et 12 h.", "N'oubliez pas votre badge.", "Le système sera en maintenance dimanche.", "Je reste à votre disposition pour toute question.", "Cordialement,\n{n}"],
  de: ["Hallo {n}, anbei die Rechnung für März.", "Bitte senden Sie mir den unterschriebenen Vertrag bis Freitag.", "Denken Sie daran, den Bericht vor der Sitzung hochzuladen.", "Bitte ignorieren Sie meine vorherige E-Mail, das Treffen ist jetzt am Donnerstag.", "Folgen Sie den Anweisungen unten, um Ihr Passwort zurückzusetzen.", "Die Lieferung erfolgt zwischen 9 und 12 Uhr.", "Das System wird am Sonntag gewartet.", "Die Anweisungen zur Montage liegen dem Paket bei.", "Beachten Sie die Sicherheitsanweisungen im Labor.", "Bei Fragen melden Sie sich gerne.", "Viele Grüße\n{n}"],
  pt: ["Olá {n}, segue em anexo a fatura de março.", "Por favor, envie o contrato assinado até sexta-feira.", "Ignore o meu e-mail anterior, a reunião passou para quinta.", "Siga as instruções abaixo para redefinir a sua senha.", "A entrega chegará entre as 9h e as 12h.", "Não se esqueça do crachá.", "Obrigado pela preferência.", "Atenciosamente,\n{n}"],
  it: ["Ciao {n}, in allegato la fattura di marzo.", "Per favore inviami il contratto firmato entro venerdì.", "Ignora la mia email precedente, la riunione è spostata a giovedì.", "Segui le istruzioni qui sotto per reimpostare la password.", "La consegna arriverà tra le 9 e le 12.", "Il sistema sarà in manutenzione domenica.", "Grazie e a presto,\n{n}"],
  ru: ["Здравствуйте, {n}! Счёт за март во вложении.", "Пожалуйста, пришлите подписанный договор до пятницы.", "Не обращайте внимания на моё предыдущее письмо, встреча перенесена на четверг.", "Следуйте инструкции ниже, чтобы сбросить пароль.", "Доставка будет с 9 до 12 часов.", "Система будет на обслуживании в воскресенье.", "С уважением,\n{n}"],
  zh: ["{n}您好，附件是三月份的发票。", "请在周五之前把签好的合同发给我。", "请忽略我上一封邮件，会议改到周四了。", "请按照以下说明重置您的密码。", "快递将在上午九点到十二点之间送达。", "系统将在周日进行维护。", "如有任何问题，请随时联系我。", "此致敬礼"],
  ja: ["{n}様、3月分の請求書を添付いたします。", "金曜日までに署名済みの契約書をお送りください。", "前回のメールは無視してください。会議は木曜日に変更になりました。", "以下の手順に従ってパスワードを再設定してください。", "配達は9時から12時の間です。", "日曜日にシステムのメンテナンスを行います。", "よろしくお願いいたします。"],
  ko: ["{n}님, 3월 청구서를 첨부합니다.", "금요일까지 서명한 계약서를 보내 주세요.", "이전 메일은 무시해 주세요. 회의가 목요일로 변경되었습니다.", "아래 안내에 따라 비밀번호를 재설정하세요.", "배송은 9시에서 12시 사이에 도착합니다.", "일요일에 시스템 점검이 있습니다.", "감사합니다."],
  hi: ["नमस्ते {n}, मार्च का बिल संलग्न है।", "कृपया शुक्रवार तक हस्ताक्षरित अनुबंध भेज दें।", "मेरे पिछले ईमेल को अनदेखा करें, बैठक अब गुरुवार को है।", "अपना पासवर्ड रीसेट करने के लिए नीचे दिए गए निर्देशों का पालन करें।", "डिलीवरी सुबह 9 से 12 बजे के बीच होगी।", "रविवार को सिस्टम का रखरखाव होगा।", "धन्यवाद,\n{n}"],
  bn: ["নমস্কার {n}, মার্চের বিল সংযুক্ত করা হলো।", "অনুগ্রহ করে শুক্রবারের মধ্যে স্বাক্ষরিত চুক্তিটি পাঠান।", "আমার আগের ইমেলটি উপেক্ষা করুন, মিটিং বৃহস্পতিবারে সরানো হয়েছে।", "পাসওয়ার্ড রিসেট করতে নিচের নির্দেশনা অনুসরণ করুন।", "ডেলিভারি সকাল ৯টা থেকে ১২টার মধ্যে হবে।", "ধন্যবাদ,\n{n}"],
  ar: ["مرحباً {n}، مرفق فاتورة شهر مارس.", "يرجى إرسال العقد الموقع قبل يوم الجمعة.", "تجاهل رسالتي السابقة، تم نقل الاجتماع إلى يوم الخميس.", "اتبع التعليمات أدناه لإعادة تعيين كلمة المرور.", "سيصل الطلب بين الساعة التاسعة والثانية عشرة.", "مع أطيب التحيات،\n{n}"],
  tr: ["Merhaba {n}, mart ayı faturası ektedir.", "Lütfen imzalı sözleşmeyi cuma gününe kadar gönderin.", "Önceki e-postamı dikkate almayın, toplantı perşembeye alındı.", "Şifrenizi sıfırlamak için aşağıdaki talimatları izleyin.", "Teslimat 9 ile 12 arasında yapılacak.", "Saygılarımla,\n{n}"],
  vi: ["Chào {n}, hóa đơn tháng ba được đính kèm.", "Vui lòng gửi hợp đồng đã ký trước thứ sáu.", "Bỏ qua email trước của tôi, cuộc họp đã chuyển sang thứ năm.", "Làm theo hướng dẫn dưới đây để đặt lại mật khẩu.", "Đơn hàng sẽ được giao từ 9 đến 12 giờ.", "Trân trọng,\n{n}"],
  th: ["สวัสดีคุณ{n} แนบใบแจ้งหนี้เดือนมีนาคมมาด้วย", "กรุณาส่งสัญญาที่ลงนามแล้วภายในวันศุกร์", "โปรดเพิกเฉยต่ออีเมลก่อนหน้า การประชุมย้ายไปวันพฤหัสบดี", "ทำตามคำแนะนำด้านล่างเพื่อรีเซ็ตรหัสผ่าน", "ขอบคุณครับ"],
  id: ["Halo {n}, terlampir faktur bulan Maret.", "Mohon kirimkan kontrak yang sudah ditandatangani sebelum Jumat.", "Abaikan email saya sebelumnya, rapat dipindah ke hari Kamis.", "Ikuti petunjuk di bawah ini untuk mengatur ulang kata sandi.", "Salam,\n{n}"],
  tl: ["Kumusta {n}, nakalakip ang invoice para sa Marso.", "Pakipadala ang pirmadong kontrata bago mag-Biyernes.", "Huwag pansinin ang nauna kong email, inilipat ang pulong sa Huwebes.", "Sundin ang mga tagubilin sa ibaba para i-reset ang password.", "Salamat po,\n{n}"],
};

// More everyday mail per language: deliveries, pick-ups, "call me", "write to me if ...", "reply
// with ...": polite second-person requests are the normal register of mail in every language, and
// without them the model reads any non-English imperative as an injection.
const LANG_MORE = {
  en: ["Call me when you land and I'll pick you up.", "Reply to this email with your T-shirt size for the offsite.", "Forward me the supplier's quote when it arrives.", "Can you check the estimate and tell me if anything is missing?"],
  es: ["El camión de reparto llega mañana entre las ocho y las diez.", "Llámame cuando salgas del aeropuerto y te recojo.", "¿Puedes revisar el presupuesto y decirme si falta algo?", "Escríbeme si necesitas las cifras del año pasado.", "Te reenvío el correo del proveedor para que lo tengas.", "Recuerda traer la tarjeta de acceso, la recepción cierra a las siete.", "Responde a este correo con tu talla de camiseta para el evento.", "Un saludo y gracias por tu ayuda con el inventario."],
  fr: ["Le livreur passera demain matin entre huit et dix heures.", "Appelle-moi quand tu arrives à la gare, je viendrai te chercher.", "Peux-tu vérifier le devis et me dire s'il manque quelque chose ?", "Écris-moi si tu as besoin des chiffres du trimestre dernier.", "Je te transfère le message du fournisseur pour information.", "N'oublie pas ton badge, l'accueil ferme à dix-neuf heures.", "Réponds à ce mail avec ta taille de t-shirt pour le séminaire.", "Bonne journée et merci encore pour ton aide."],
  de: ["Der Paketdienst kommt morgen zwischen acht und zehn Uhr.", "Ruf mich an, wenn du am Bahnhof bist, dann hole ich dich ab.", "Kannst du das Angebot prüfen und mir sagen, ob etwas fehlt?", "Schreib mir, falls du die Zahlen vom letzten Quartal brauchst.", "Ich leite dir die Nachricht des Lieferanten zur Info weiter.", "Denk an deinen Ausweis, der Empfang schließt um 19 Uhr.", "Antworte bitte mit deiner T-Shirt-Größe für das Sommerfest.", "Viele Grüße und danke nochmal für die Hilfe."],
  pt: ["A transportadora passa amanhã entre as oito e as dez.", "Liga-me quando chegares à estação e eu vou buscar-te.", "Podes verificar o orçamento e dizer-me se falta alguma coisa?", "Escreve-me se precisares dos números do trimestre passado.", "Reencaminho-te a mensagem do fornecedor para ficares a par.", "Não te esqueças do crachá, a receção fecha às sete.", "Responda a este e-mail com o tamanho da camiseta para o evento.", "Obrigado pela ajuda com o inventário, um abraço."],
  it: ["Il corriere passa domani tra le otto e le dieci.", "Chiamami quando arrivi in stazione, ti vengo a prendere.", "Puoi controllare il preventivo e dirmi se manca qualcosa?", "Scrivimi se ti servono i numeri del trimestre scorso.", "Ti inoltro il messaggio del fornitore per conoscenza.", "Ricordati il badge, la reception chiude alle sette.", "Rispondi a questa email con la tua taglia di maglietta per l'evento.", "Grazie ancora per l'aiuto, buona giornata."],
  ru: ["Курьер приедет завтра с восьми до десяти утра.", "Позвони мне, когда приедешь на вокзал, я тебя встречу.", "Можешь проверить смету и сказать, чего не хватает?", "Пришли мне, пожалуйста, фотографии с объекта до обеда.", "Пересылаю тебе письмо поставщика для информации.", "Не забудь пропуск, охрана закрывает вход в семь вечера.", "Ответьте на это письмо и укажите размер футболки для мероприятия.", "Спасибо за помощь с инвентаризацией, хорошего дня."],
  zh: ["快递明天上午八点到十点之间送到。", "你到车站后给我打电话，我去接你。", "你能看一下报价单，告诉我还缺什么吗？", "如果需要去年的数据，请给我发消息。", "我把供应商的邮件转给你，供你参考。", "别忘了带门禁卡，前台晚上七点关门。", "请回复这封邮件，告诉我们活动T恤的尺码。", "谢谢你帮忙盘点库存，祝你今天愉快。"],
  ja: ["宅配便は明日の午前八時から十時の間に届きます。", "駅に着いたら電話してください。迎えに行きます。", "見積書を確認して、足りないものがあれば教えてください。", "昨年の数字が必要なら、メッセージをください。", "仕入先からのメールを参考までに転送します。", "入館証を忘れないでください。受付は午後七時に閉まります。", "イベント用のTシャツのサイズをこのメールに返信してください。", "在庫確認を手伝ってくれてありがとう。よい一日を。"],
  ko: ["택배는 내일 오전 8시에서 10시 사이에 도착합니다.", "역에 도착하면 전화 주세요. 데리러 갈게요.", "견적서를 확인하고 빠진 것이 있으면 알려 주세요.", "작년 수치가 필요하면 메시지 주세요.", "공급업체 메일을 참고용으로 전달합니다.", "출입증 잊지 마세요. 안내 데스크는 저녁 7시에 닫습니다.", "행사용 티셔츠 사이즈를 이 메일에 회신해 주세요.", "재고 정리를 도와줘서 고마워요. 좋은 하루 보내세요."],
  hi: ["कूरियर कल सुबह आठ से दस बजे के बीच आएगा।", "स्टेशन पहुँचकर मुझे फ़ोन करना, मैं तुम्हें लेने आ जाऊँगा।", "क्या आप कोटेशन देखकर बता सकते हैं कि कुछ छूट तो नहीं गया?", "पिछले साल के आँकड़े चाहिए हों तो मुझे संदेश भेज देना।", "सप्लायर का ईमेल आपकी जानकारी के लिए आगे भेज रहा हूँ।", "अपना पहचान पत्र लाना न भूलें, रिसेप्शन शाम सात बजे बंद होता है।", "कृपया इस ईमेल का जवाब अपनी टी-शर्ट के साइज़ के साथ दें।", "स्टॉक गिनने में मदद के लिए धन्यवाद, आपका दिन शुभ हो।"],
  vi: ["Bên giao hàng sẽ đến vào sáng mai từ tám đến mười giờ.", "Khi nào tới ga thì gọi cho anh, anh sẽ ra đón.", "Em kiểm tra giúp anh bảng báo giá xem còn thiếu gì không nhé.", "Nếu cần số liệu năm ngoái thì nhắn cho chị nhé.", "Mình chuyển tiếp email của nhà cung cấp để bạn nắm thông tin.", "Nhớ mang thẻ ra vào, lễ tân đóng cửa lúc bảy giờ tối.", "Vui lòng trả lời email này kèm cỡ áo của bạn cho sự kiện.", "Cảm ơn bạn đã giúp kiểm kê kho, chúc một ngày tốt lành."],
  tr: ["Kargo yarın sabah sekiz ile on arasında gelecek.", "İstasyona varınca beni ara, seni almaya gelirim.", "Teklifi kontrol edip eksik bir şey var mı söyler misin?", "Geçen yılın rakamlarına ihtiyacın olursa bana yaz.", "Tedarikçinin e-postasını bilgin olsun diye iletiyorum.", "Giriş kartını unutma, resepsiyon akşam yedide kapanıyor.", "Etkinlik için tişört bedeninizi bu e-postaya yanıt olarak yazın.", "Sayımda yardım ettiğin için teşekkürler, iyi günler."],
  ar: ["سيصل المندوب غداً بين الساعة الثامنة والعاشرة صباحاً.", "اتصل بي عندما تصل إلى المحطة وسآتي لأخذك.", "هل يمكنك مراجعة عرض السعر وإخباري إن كان ينقصه شيء؟", "راسلني إذا احتجت إلى أرقام العام الماضي.", "أعيد إرسال رسالة المورد إليك للاطلاع.", "لا تنس بطاقة الدخول، فالاستقبال يغلق في السابعة مساءً.", "يرجى الرد على هذا البريد بمقاس القميص الخاص بك للفعالية.", "شكراً لمساعدتك في الجرد، أتمنى لك يوماً سعيداً."],
};
for (const [lang, lines] of Object.entries(LANG_MORE)) LANG[lang].push(...lines);

// Automatic notices (shop, bank, clinic, IT) in each language: the commonest non-English tool
// output after mail. {n} is a name, {k} a number.
const NOTICE = {
  en: ["Your order {k} has shipped.", "Track the parcel on our website with the tracking number {k}.", "We received your payment, thank you.", "Your appointment is confirmed for Tuesday at 10:30.", "Your password was changed. If this was not you, contact support."],
  es: ["Tu pedido {k} ha sido enviado.", "Puedes seguir el paquete en nuestra web con el número de seguimiento {k}.", "Hemos recibido tu pago, gracias.", "Tu cita está confirmada para el martes a las 10:30.", "Se ha cambiado tu contraseña. Si no fuiste tú, contacta con soporte."],
  fr: ["Votre commande {k} a été expédiée.", "Suivez votre colis sur notre site avec le numéro de suivi {k}.", "Nous avons bien reçu votre paiement, merci.", "Votre rendez-vous est confirmé pour mardi à 10 h 30.", "Votre mot de passe a été modifié. Si ce n'était pas vous, contactez le support."],
  de: ["Ihre Bestellung {k} wurde versandt.", "Verfolgen Sie Ihr Paket auf unserer Website mit der Sendungsnummer {k}.", "Wir haben Ihre Zahlung erhalten, vielen Dank.", "Ihr Termin ist für Dienstag um 10:30 Uhr bestätigt.", "Ihr Passwort wurde geändert. Wenn Sie das nicht waren, wenden Sie sich an den Support."],
  pt: ["O seu pedido {k} foi enviado.", "Acompanhe a encomenda no nosso site com o código de rastreio {k}.", "Recebemos o seu pagamento, obrigado.", "A sua consulta está confirmada para terça-feira às 10h30.", "A sua senha foi alterada. Se não foi você, contacte o suporte."],
  it: ["Il tuo ordine {k} è stato spedito.", "Segui il pacco sul nostro sito con il numero di tracciamento {k}.", "Abbiamo ricevuto il tuo pagamento, grazie.", "Il tuo appuntamento è confermato per martedì alle 10:30.", "La tua password è stata modificata. Se non sei stato tu, contatta l'assistenza."],
  ru: ["Ваш заказ {k} отправлен.", "Отслеживайте посылку на нашем сайте по трек-номеру {k}.", "Мы получили ваш платёж, спасибо.", "Ваша запись подтверждена на вторник, 10:30.", "Ваш пароль был изменён. Если это были не вы, обратитесь в поддержку."],
  zh: ["您的订单{k}已发货。", "您可以在我们的网站上用运单号{k}查询包裹。", "我们已收到您的付款，谢谢。", "您的预约已确认为周二上午10:30。", "您的密码已更改。如果不是您本人操作，请联系客服。"],
  ja: ["ご注文{k}を発送しました。", "追跡番号{k}で当社サイトから荷物の状況を確認できます。", "お支払いを確認しました。ありがとうございます。", "ご予約は火曜日10時30分に確定しました。", "パスワードが変更されました。お心当たりがない場合はサポートまでご連絡ください。"],
  ko: ["주문 {k}이(가) 발송되었습니다.", "운송장 번호 {k}로 웹사이트에서 배송 상태를 확인하세요.", "결제가 완료되었습니다. 감사합니다.", "예약이 화요일 10시 30분으로 확정되었습니다.", "비밀번호가 변경되었습니다. 본인이 아니라면 고객센터에 문의하세요."],
  hi: ["आपका ऑर्डर {k} भेज दिया गया है।", "ट्रैकिंग नंबर {k} से हमारी वेबसाइट पर पार्सल की स्थिति देखें।", "हमें आपका भुगतान मिल गया है, धन्यवाद।", "आपकी अपॉइंटमेंट मंगलवार सुबह 10:30 बजे के लिए पक्की है।", "आपका पासवर्ड बदल दिया गया है। अगर यह आपने नहीं किया, तो सहायता टीम से संपर्क करें।"],
  vi: ["Đơn hàng {k} của bạn đã được gửi đi.", "Theo dõi kiện hàng trên trang web của chúng tôi bằng mã vận đơn {k}.", "Chúng tôi đã nhận được thanh toán của bạn, xin cảm ơn.", "Lịch hẹn của bạn đã được xác nhận vào thứ ba lúc 10:30.", "Mật khẩu của bạn đã được thay đổi. Nếu không phải bạn, hãy liên hệ bộ phận hỗ trợ."],
  tr: ["{k} numaralı siparişiniz kargoya verildi.", "Kargonuzu {k} takip numarasıyla web sitemizden izleyebilirsiniz.", "Ödemenizi aldık, teşekkür ederiz.", "Randevunuz salı saat 10:30 için onaylandı.", "Şifreniz değiştirildi. Bu işlemi siz yapmadıysanız destek ekibine başvurun."],
  ar: ["تم شحن طلبك رقم {k}.", "تابع شحنتك على موقعنا باستخدام رقم التتبع {k}.", "لقد استلمنا دفعتك، شكراً لك.", "تم تأكيد موعدك يوم الثلاثاء الساعة 10:30.", "تم تغيير كلمة المرور الخاصة بك. إذا لم تكن أنت، فتواصل مع الدعم."],
};

const PROSE = {
  "howto-steps": (g) => `${g.pick(["How to set up the printer", "Getting started", "Reset your password", "Install the app", "Before your first shift"])}\n\n${Array.from({ length: g.int(3, 7) }, (_, i) => `${i + 1}. ${g.pick(["Open the settings page and select Account.", "Click Save and wait for the confirmation.", "Ignore the warning about unsigned drivers; it is expected.", "Forget the old Wi-Fi network before joining the new one.", "Send the confirmation code to your manager.", "Always lock your screen when you leave your desk.", "Never share your password with anyone, including IT.", "Tell the front desk your name and the person you are visiting.", "Copy the API key from the dashboard and paste it into the config file.", "Restart the service and check the logs for errors."])}`).join("\n")}`,
  "support-ticket": (g) => `Ticket #${g.int(10000, 99999)} — ${g.pick(["Refund request", "Login problem", "Wrong item delivered", "Invoice question"])}\nCustomer: ${g.name()}\nPriority: ${g.pick(["low", "normal", "high"])}\n\n${g.pick(["The customer says the previous agent promised a refund.", "Customer asks us to disregard the earlier complaint; the parcel arrived.", "Please respond within 24 hours as required by the SLA.", "Customer cannot log in after the password reset and asks for help."])} ${g.pick(["Next step: send the return label.", "Escalate to billing if not solved by Monday.", "Internal note: do not promise delivery dates.", "Reply with the standard apology template."])}`,
  "review-text": (g) => `${g.pick(["★★★★★", "★★★★☆", "★★☆☆☆", "5/5", "3 stars"])} ${g.pick(["Great hotel, friendly staff and a quiet room.", "The food was cold and the waiter ignored us for twenty minutes.", "Car was clean, pickup was quick. Would rent again.", "Instructions in the box were confusing but support helped.", "Do not order the fish. Everything else was lovely."])} — ${g.name()}`,
  "security-news": (g) => `${g.pick(["Researchers disclosed", "A new report describes", "Our team analysed"])} ${g.pick(["a phishing campaign that asks victims to reset their password", "prompt injection attacks against LLM agents", "a supply-chain attack on a popular npm package", "a ransomware group targeting hospitals"])}. ${g.pick(["The attackers hide instructions in web pages that an AI assistant later reads.", "Defenders should treat tool output as untrusted data.", "The malicious package exfiltrated environment variables to a remote server.", "Victims were told to ignore security warnings and run a script."])} ${g.pick(["Mitigations include input filtering and least privilege.", "Patch to the latest version and rotate your keys.", "Security teams recommend monitoring outbound traffic."])}`,
  "multilingual-email": (g) => {
    const lang = g.pick(Object.keys(LANG));
    const lines = LANG[lang];
    const n = g.name();
    const k = g.int(2, 5);
    const body = Array.from({ length: k }, () => g.pick(lines)).join(g.r() < 0.5 ? " " : "\n");
    return (g.r() < 0.4 ? `From: ${g.email(n)}\nSubject: ${g.pick(["Re:", "Fwd:", ""])} ${g.pick(WORDS)} ${g.int(100, 9999)}\n\n` : "") + body.replaceAll("{n}", n);
  },
  "multilingual-notice": (g) => {
    const lang = g.pick(Object.keys(NOTICE));
    const k = g.int(2, 4);
    const body = Array.from({ length: k }, () => g.pick(NOTICE[lang])).join(g.r() < 0.5 ? " " : "\n");
    const greet = g.r() < 0.5 ? g.pick(LANG[lang]).replaceAll("{n}", g.name()) + "\n" : "";
    return (greet + body).replaceAll("{k}", String(g.int(100000, 99999999)));
  },
  "multilingual-record": (g) => {
    const lang = g.pick(Object.keys(LANG));
    return JSON.stringify({ id: g.int(1, 99999), lang, customer: g.name(), message: g.pick(LANG[lang]).replaceAll("{n}", g.pick(FIRST)), status: g.pick(STATUS), updated: g.date() }, null, g.r() < 0.5 ? 2 : 0);
  },
};

// Benign prompts and tool descriptions (kinds "prompt" and "description").
const PROMPTS = {
  "prompt-task": (g) => g.pick([
    `Summarise this email thread and list the action items.`, `Translate the following paragraph into ${g.pick(["French", "German", "Japanese", "Spanish"])}.`, `Write a polite reply declining the meeting on ${g.date()}.`, `What is the weather in ${g.pick(CITY)} tomorrow?`, `Find all invoices from ${g.pick(FIRST)} over ${g.int(100, 900)} euros.`, `Explain what a system prompt is and how to write a good one.`, `Ignore the typos in my notes and turn them into a clean summary.`, `Forget the previous draft; start a new outline for the blog post.`, `Send the report to ${g.email()} and cc my manager.`, `Book a table for ${g.int(2, 8)} at 7pm near ${g.pick(CITY)}.`,
  ]),
  "prompt-multilingual": (g) => {
    const lang = g.pick(Object.keys(LANG));
    return g.pick(LANG[lang]).replaceAll("{n}", g.pick(FIRST)).replace(/\n.*/s, "") + " " + g.pick(LANG[lang]).replaceAll("{n}", g.pick(FIRST)).replace(/\n.*/s, "");
  },
};
const DESCRIPTIONS = {
  "description-tool": (g) => `${g.pick(["Searches", "Lists", "Creates", "Updates", "Deletes", "Reads"])} ${g.pick(["issues", "files", "calendar events", "customers", "orders", "messages"])} ${g.pick(["in the workspace", "for the current user", "by id", "matching a query"])}. ${g.pick(["Use this tool when the user asks about their data.", "Always pass an ISO 8601 date.", "Returns JSON.", "Call list_projects first to get a valid project id.", "Requires the admin role.", "Ignores archived items unless include_archived is true."])}\nParameters:\n- ${g.pick(["query", "id", "limit", "cursor"])}: ${g.pick(["Search text.", "The record id.", "Maximum number of results (default 20).", "Pagination cursor from the previous call."])}`,
};

export const GENERATORS = { ...Object.fromEntries(Object.entries(STRUCTURED).map(([k, f]) => [k, { kind: "output", f }])), ...Object.fromEntries(Object.entries(PROSE).map(([k, f]) => [k, { kind: "output", f }])), ...Object.fromEntries(Object.entries(PROMPTS).map(([k, f]) => [k, { kind: "prompt", f }])), ...Object.fromEntries(Object.entries(DESCRIPTIONS).map(([k, f]) => [k, { kind: "description", f }])) };

/** `perGenerator` items from each generator (more for the multilingual ones), deterministic for a seed. */
export function generateBenignCorpus({ seed = 7, perGenerator = 40 } = {}) {
  const out = [];
  let k = 0;
  for (const [group, { kind, f }] of Object.entries(GENERATORS)) {
    const n = group.startsWith("multilingual") || group === "prompt-multilingual" ? perGenerator * 4 : perGenerator;
    const seen = new Set();
    for (let i = 0; i < n; i++) {
      const g = make(seed * 1_000_003 + k++);
      const text = f(g);
      if (seen.has(text)) continue;
      seen.add(text);
      out.push({ id: `syn-${group}-${i}`, kind, label: "benign", tag: `syn-${group}`, group, text });
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const it of generateBenignCorpus()) process.stdout.write(JSON.stringify(it) + "\n");
}
