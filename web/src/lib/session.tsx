/**
 * Who is signed in. On load the session is renewed silently from the httpOnly cookie; when the
 * server cannot answer then (busy, away), the app says so and offers to try again.
 */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, ApiError, endSession, onSessionChange, refresh, startSession } from './api';
import { errorText } from './problem-text';

export interface User {
  id: string;
  email: string;
  name: string | null;
  role: 'user' | 'lawyer' | 'admin';
}

interface Session {
  user: User | null | undefined; // undefined while the cookie is tried
  /** Why the session could not be restored (the server did not answer); `restore` tries again. */
  failure: string | null;
  restore(): void;
  signIn(email: string, password: string): Promise<void>;
  signUp(input: { email: string; password: string; name?: string; consent_version: string }): Promise<void>;
  /** Throws, still signed in, when the server could not be told. */
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [failure, setFailure] = useState<string | null>(null);
  const restore = useCallback(async () => {
    setFailure(null);
    try {
      setUser((await refresh()) ? await api<User>('/api/auth/me') : null);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setUser(null);
      else setFailure(errorText(err));
    }
  }, []);
  useEffect(() => {
    const off = onSessionChange((signedIn) => !signedIn && setUser(null));
    void restore();
    return off;
  }, [restore]);
  const value: Session = {
    user,
    failure,
    restore: () => void restore(),
    async signIn(email, password) {
      setUser((await startSession<{ user: User; access_token: string; expires_in: number }>('/api/auth/login', { email, password })).user);
    },
    async signUp(input) {
      setUser((await startSession<{ user: User; access_token: string; expires_in: number }>('/api/auth/register', input)).user);
    },
    async signOut() {
      await endSession();
      setUser(null);
    },
  };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
