// Imported first by main.ts, before anything can start the libuv thread pool: file I/O and sharp (libvips)
// share it, and its default of 4 threads makes uploads, blob writes and image work wait for each other.
process.env['UV_THREADPOOL_SIZE'] ??= '16';
