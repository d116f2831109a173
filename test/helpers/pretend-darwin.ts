// Preloaded with `node --import` to run the CLI as if on macOS: process.platform is what the
// platform door checks before it reads /proc or /sys.
Object.defineProperty(process, 'platform', { value: 'darwin' });
