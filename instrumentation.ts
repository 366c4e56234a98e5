/** Runs once when the Next.js server starts: opens the database and applies pending migrations. */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { getDb } = await import("./db/client");
    getDb();
  }
}
