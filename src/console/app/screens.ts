// The console's screens, their place in the navigation and who sees them.
import type { FunctionComponent } from "preact";
import type { Session } from "./session";
import { OverviewScreen } from "./screens/overview";
import { BroadcastsScreen } from "./screens/broadcasts/broadcasts-screen";
import { TasksScreen } from "./screens/tasks/tasks-screen";
import { RegistryScreen } from "./screens/registry/registry-screen";
import { AccountsScreen } from "./screens/accounts/accounts-screen";
import { InboxScreen } from "./screens/support/inbox-screen";
import { ReviewScreen } from "./screens/support/review-screen";
import { KnowledgeScreen } from "./screens/support/knowledge-screen";

export interface ScreenEntry {
  /** the first path segment: #/tasks */
  path: string;
  /** nav.<path> in the console.json locale files */
  navKey: string;
  component: FunctionComponent;
  visible(session: Session): boolean;
}

const everyone = (): boolean => true;

export const SCREENS: ScreenEntry[] = [
  { path: "overview", navKey: "nav.overview", component: OverviewScreen, visible: everyone },
  { path: "broadcasts", navKey: "nav.broadcasts", component: BroadcastsScreen, visible: everyone },
  { path: "tasks", navKey: "nav.tasks", component: TasksScreen, visible: everyone },
  { path: "registry", navKey: "nav.registry", component: RegistryScreen, visible: everyone },
  { path: "inbox", navKey: "nav.inbox", component: InboxScreen, visible: everyone },
  { path: "review", navKey: "nav.review", component: ReviewScreen, visible: everyone },
  { path: "knowledge", navKey: "nav.knowledge", component: KnowledgeScreen, visible: everyone },
  { path: "accounts", navKey: "nav.accounts", component: AccountsScreen, visible: (s) => s.isDepartmentAdmin },
];
