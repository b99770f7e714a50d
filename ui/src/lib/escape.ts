// Esc inside an inline form cancels it (the way Esc closes a dialog): `<form {@attach escapeCancels(fn)}>`.
export function escapeCancels(cancel: () => void) {
  return (node: HTMLElement) => {
    const onkeydown = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented || e.isComposing) return;
      e.preventDefault();
      e.stopPropagation();
      cancel();
    };
    node.addEventListener('keydown', onkeydown);
    return () => node.removeEventListener('keydown', onkeydown);
  };
}
