// Loaded with --import by a test: this process's (and its threads') clock reads ten minutes ahead,
// as a worker on a host whose clock is off would see it.
const realNow = Date.now;
Date.now = () => realNow() + 10 * 60_000;
