import type { ApprovalRecord } from "./approval-record.js";

/**
 * Notifies a webhook of a new approval request. The body is JSON with a Slack-compatible `text`
 * (so a Slack incoming webhook URL works as is) plus the structured request and the page link.
 */
export async function sendWebhook(hook: { url: string; headers?: Record<string, string> }, rec: ApprovalRecord, pageUrl: string | undefined, timeoutMs = 5000): Promise<void> {
  const link = pageUrl ? `\nApprove or deny: ${pageUrl}` : `\nApprove with \`portcullis approvals approve ${rec.id}\``;
  const body = {
    text: `Portcullis: \`${rec.tool}\` on server "${rec.server}" needs approval (${rec.id}).\nWhy: ${rec.reason}.${link}`,
    approval: { id: rec.id, server: rec.server, tool: rec.tool, session: rec.session, reason: rec.reason, rule: rec.rule, arguments: rec.argsPreview, createdAt: rec.createdAt, expiresAt: rec.expiresAt, url: pageUrl },
  };
  const res = await fetch(hook.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...hook.headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`${hook.url.replace(/\?.*$/, "")} answered HTTP ${res.status}`);
}
