/**
 * Secret masking for the dashboard and the API. The implementation lives in db/mask-secrets.ts
 * because the audit log (db/queries/audit.ts, also written by the CLI) masks before it writes, and
 * db/ never imports app/. See docs/SECURITY.md.
 */
export {
  DEFAULT_SECRET_WORDS,
  isSecretKey,
  MASK,
  maskSecrets,
  maskSecretsInJson,
  maskSecretsInPreview,
  maskSecretText,
  maskSecretTextOrNull,
  restoreMaskedSecrets,
  secretWords,
} from "@/db/mask-secrets";
