/** Runs once when the Next.js server starts: opens the database and applies pending migrations. */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { getStore } = await import("./db/store");
    await getStore().migrate();
  }
}
