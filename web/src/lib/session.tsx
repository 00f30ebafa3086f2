/** Who is signed in. On load the session is renewed silently from the httpOnly cookie. */
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, endSession, onSessionChange, refresh, startSession } from './api';

export interface User {
  id: string;
  email: string;
  name: string | null;
  role: 'user' | 'lawyer' | 'admin';
}

interface Session {
  user: User | null | undefined; // undefined while the cookie is tried
  signIn(email: string, password: string): Promise<void>;
  signUp(input: { email: string; password: string; name?: string; consent_version: string }): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  useEffect(() => {
    const off = onSessionChange((signedIn) => !signedIn && setUser(null));
    void (async () => setUser((await refresh()) ? await api<User>('/api/auth/me') : null))();
    return off;
  }, []);
  const value: Session = {
    user,
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
