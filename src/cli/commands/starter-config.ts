/** What `portcullis config init` writes: safe defaults, every section explained. */
export const STARTER_CONFIG = `# Portcullis policy. Reference: docs/config.md; check with \`portcullis config check\`.
defaults:                     # every server inherits these and may override them
  trust: low                  # untrusted | low | medium | high | verified
  require_https: true         # remote upstreams must use HTTPS (loopback exempt)
  max_response_kb: 1024       # larger upstream replies are withheld
  timeout_s: 30               # upstream requests unanswered after this fail
  audit: { all_calls: true, zdr: false }

servers:
  files:
    command: [npx, -y, "@modelcontextprotocol/server-filesystem", "./docs"]
    trust: medium
    tools:
      allow: ["read_*", "list_*", "search_*", "get_*", "directory_tree"]
      deny: ["*delete*"]
      policies:
        write_file:
          approval: always
          max_calls_per_session: 5
          arguments: { path: { pattern: "^docs/(?!.*\\\\.\\\\.)" } }
`;
