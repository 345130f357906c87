/**
 * The board's single script: the service answers the same shell for every board URL and this
 * picks the page from the path. Every view has its own URL (filters and time ranges in the query).
 */
import { homePage } from './pages/home';
import { sloPage } from './pages/slo';
import { servicePage } from './pages/service';
import { incidentsPage, incidentPage } from './pages/incidents';
import { tvPage } from './pages/tv';
import { frame } from './layout';
import { empty } from './layout';

function segment(path: string, prefix: string): string | null {
  if (!path.startsWith(prefix)) return null;
  const rest = path.slice(prefix.length);
  if (rest === '' || rest.includes('/')) return null;
  try {
    return decodeURIComponent(rest);
  } catch {
    return null;
  }
}

function route(path: string): void {
  const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (p === '/') return homePage();
  if (p === '/tv') return tvPage();
  if (p === '/incidents') return incidentsPage();
  const incident = segment(p, '/incidents/');
  if (incident !== null) return incidentPage(incident);
  const slo = segment(p, '/slos/');
  if (slo !== null) return sloPage(slo);
  const service = segment(p, '/services/');
  if (service !== null) return servicePage(service);
  frame('Not found', null).main.appendChild(empty(`No board page at ${p}.`));
}

route(location.pathname);
