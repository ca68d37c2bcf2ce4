import { Routes } from '@angular/router';

const TITLE = 'AI Marketplace';

export const routes: Routes = [
  { path: '', pathMatch: 'full', loadComponent: () => import('./catalogue/catalogue.page').then((m) => m.CataloguePage), title: `Catalogue · ${TITLE}` },
  { path: 'services/:name', loadComponent: () => import('./service/service.page').then((m) => m.ServicePage), title: `Service · ${TITLE}` },
  { path: 'pipelines/:id', loadComponent: () => import('./pipeline/pipeline.page').then((m) => m.PipelinePage), title: `Pipeline · ${TITLE}` },
  { path: 'run/pipeline/:id', loadComponent: () => import('./run/run.page').then((m) => m.RunPage), title: `Run · ${TITLE}` },
  { path: 'run/task/:service/:task', loadComponent: () => import('./run/run.page').then((m) => m.RunPage), title: `Run · ${TITLE}` },
  { path: 'jobs', loadComponent: () => import('./jobs/jobs.page').then((m) => m.JobsPage), title: `Jobs · ${TITLE}` },
  { path: 'jobs/:id', loadComponent: () => import('./job/job.page').then((m) => m.JobPage), title: `Job · ${TITLE}` },
  { path: 'editor', loadComponent: () => import('./editor/editor.page').then((m) => m.EditorPage), title: `Editor · ${TITLE}` },
  { path: 'editor/:id', loadComponent: () => import('./editor/editor.page').then((m) => m.EditorPage), title: `Editor · ${TITLE}` },
  { path: '**', redirectTo: '' },
];
