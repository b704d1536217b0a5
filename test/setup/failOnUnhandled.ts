// An unhandled rejection anywhere in a test file fails the run instead of passing silently.
process.on('unhandledRejection', (reason) => {
  throw reason instanceof Error ? reason : new Error(String(reason));
});
