// Who is signed in, and what their role lets the screens offer (the API checks again on every call).
import { createContext } from "preact";
import { useContext } from "preact/hooks";

export type StaffRole = "department_admin" | "office_admin" | "viewer";

export interface StaffUser {
  login: string;
  name: string;
  role: StaffRole;
  /** the office's unit code for an office admin */
  unit: string | null;
}

export interface Session {
  user: StaffUser;
  /** true when the role may change things (a viewer sees no buttons that would be refused) */
  canWrite: boolean;
  isDepartmentAdmin: boolean;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a signed-in console");
  return session;
}

export function sessionOf(user: StaffUser, signOut: () => Promise<void>): Session {
  return { user, canWrite: user.role !== "viewer", isDepartmentAdmin: user.role === "department_admin", signOut };
}
