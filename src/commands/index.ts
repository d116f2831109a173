// The command set, in one place (STYLE.md: explicit array, no commandDir).
// Each module is light: heavy code is imported inside its handler.
import interfaces from './interfaces.js';
import doctor from './doctor.js';
import macMap from './mac-map.js';
import querierCheck from './querier-check.js';
import sniff from './sniff.js';
import joinAll from './join-all.js';
import sendAll from './send-all.js';
import rpfilterAudit from './rpfilter-audit.js';
import mesh from './mesh.js';
import meshReport from './mesh-report.js';
import trace from './trace.js';
import analyze from './analyze.js';

export const commands = [interfaces, doctor, macMap, querierCheck, sniff, joinAll, sendAll, rpfilterAudit, mesh, meshReport, trace, analyze];
