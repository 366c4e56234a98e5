"use client";
import { useSyncExternalStore } from "react";

/**
 * A tiny external store of one string value kept in localStorage, shared by every component that
 * reads it (useSyncExternalStore keeps server render and hydration consistent: the server sees the
 * fallback).
 */
export function createLocalStore<T extends string>(
  key: string,
  fallback: T,
  allowed: readonly T[],
) {
  const listeners = new Set<() => void>();
  const read = (): T => {
    try {
      const value = window.localStorage.getItem(key);
      return value !== null && (allowed as readonly string[]).includes(value)
        ? (value as T)
        : fallback;
    } catch {
      return fallback;
    }
  };
  const subscribe = (listener: () => void) => {
    listeners.add(listener);
    const onStorage = (event: StorageEvent) => {
      if (event.key === key) listener();
    };
    window.addEventListener("storage", onStorage);
    return () => {
      listeners.delete(listener);
      window.removeEventListener("storage", onStorage);
    };
  };
  return {
    /** The current value (the fallback during server render and hydration). */
    use(): T {
      return useSyncExternalStore(subscribe, read, () => fallback);
    },
    /** Stores a new value and tells every reader. */
    set(value: T) {
      try {
        window.localStorage.setItem(key, value);
      } catch {
        // Private mode or storage disabled: the value lives until the page reloads.
      }
      for (const listener of listeners) listener();
    },
  };
}

const noopSubscribe = () => () => {};

/** False during server render and hydration, true afterwards (for browser-only values like the timezone). */
export function useIsClient(): boolean {
  return useSyncExternalStore(
    noopSubscribe,
    () => true,
    () => false,
  );
}
