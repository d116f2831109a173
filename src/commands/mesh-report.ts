import { defineCommand } from './context.js';
import { percent } from './flags.js';

interface Args {
  files: string[];
  junit?: string;
  html?: string;
}

const flags = {
  'max-loss': percent('Loss percentage a pair may show (default: the largest the hosts ran with)'),
};

export default defineCommand<Args, typeof flags>({
  command: 'mesh-report <files..>',
  describe: 'Merge the mesh --json documents of many hosts into the whole N x N matrix (table, JSON, JUnit, HTML heat map)',
  flags,
  builder: (y) =>
    y
      .positional('files', { type: 'string', array: true, demandOption: true, describe: 'mesh --json documents, one per host' })
      .option('junit', { type: 'string', describe: 'Write JUnit XML: one testcase per ordered host pair', requiresArg: true })
      .option('html', { type: 'string', describe: 'Write a self-contained HTML page with the matrix as a heat map', requiresArg: true })
      .example('$0 mesh-report results/*.json --html mesh.html --junit mesh.xml', 'merge, write the heat map and JUnit') as never,
  run: async (argv, ctx) => {
    const max = argv['max-loss'];
    const { readInputFile, loadMeshSchemas, writeFileAtomic } = await ctx.host.files();
    const { parseMeshDocument } = await import('../core/mesh/load.js');
    const schemas = loadMeshSchemas();
    const { MeshMerger } = await import('../core/mesh/merge.js');
    const { HostGaps } = await import('../core/mesh/report-findings.js');
    const { exitFor } = await import('../core/exit.js');
    const { renderCoverage } = await import('../render/coverage.js');
    const { renderMeshReport, meshJUnit } = await import('../render/mesh-report.js');
    // One document at a time: read, checked, folded in, dropped (a 1000-host mesh is ~1 GB of JSON).
    const merger = new MeshMerger();
    // What the hosts' own runs could not see (no capture there) leaves the merged verdict incomplete.
    const gaps = new HostGaps();
    for (const file of argv.files) {
      const doc = parseMeshDocument(file, readInputFile(file), schemas);
      gaps.add(doc);
      merger.add(file, doc);
    }
    const rep = merger.finish(max);
    const coverage = gaps.coverage();
    ctx.out.setCoverage(coverage);
    const now = new Date();
    if (argv.junit || argv.html) {
      if (argv.junit) await writeFileAtomic(argv.junit, meshJUnit(rep, now), '--junit');
      if (argv.html) {
        const { meshHtml } = await import('../render/mesh-html.js');
        await writeFileAtomic(argv.html, meshHtml(rep, now), '--html');
      }
    }
    renderMeshReport(rep, ctx.out, now);
    renderCoverage(coverage, ctx.out);
    return exitFor(rep.findings, coverage);
  },
});
