using System.Diagnostics;
using System.Globalization;
using PrismConfig;
using PrismConfig.Core;

// Figure 4: a new process opens an existing store and looks one namespace up. Timed inside the process, from
// just before ConfigStore.Open to the first complete NamespaceConfig, so process start and runtime start-up
// (identical for every store size) are left out. Prints "<total µs> <open µs>".
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: PrismConfig.Bench.ColdStart <database> <namespace>");
    return 2;
}

var sw = Stopwatch.StartNew();
using var store = ConfigStore.Open(args[0]);
var opened = sw.Elapsed;
NamespaceConfig? ns = store.TryGet(args[1]);
var total = sw.Elapsed;
if (ns is null || ns.Features.Count == 0 || ns.Tags.Length == 0)
{
    Console.Error.WriteLine($"'{args[1]}' was not found complete in {args[0]}.");
    return 1;
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{total.TotalMicroseconds:F0} {opened.TotalMicroseconds:F0}"));
return 0;
