/**
 * The time now, moving on every second while `running()` is true (a call in progress on screen), so its
 * length ticks between the server's updates; still otherwise. Create it in a component (it uses `$effect`).
 */
export function ticking(running: () => boolean): { readonly now: number } {
  let now = $state(Date.now());
  $effect(() => {
    if (!running()) return;
    now = Date.now();
    const timer = setInterval(() => (now = Date.now()), 1000);
    return () => clearInterval(timer);
  });
  return {
    get now() {
      return now;
    },
  };
}
