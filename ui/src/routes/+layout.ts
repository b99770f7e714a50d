// A desktop single-page app: no server rendering, nothing prerendered (adapter-static fallback).
export const ssr = false;
export const prerender = false;
