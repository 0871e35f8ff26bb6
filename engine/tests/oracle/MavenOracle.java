// Regenerates Cairn's Maven reference vectors with Maven's own ComparableVersion (the class
// Maven resolves versions with). Tests never run this: they read what it wrote.
//
//   d="$(mktemp -d)" && javac -cp /usr/share/maven/lib/maven-artifact-3.x.jar -d "$d" \
//     engine/tests/oracle/MavenOracle.java && \
//   java -cp "$d:/usr/share/maven/lib/maven-artifact-3.x.jar" MavenOracle engine/tests/fixtures
//
// (maven-artifact from Debian's `maven` package.) Writes, under the fixtures directory:
// - version-vectors/maven-comparableversion-generated.txt: `A < B` / `A = B` / `A > B` for every
//   pair of VERSIONS below plus every event version of the Maven advisories in osv-ghsa/;
// - osv-ghsa/expected-maven.txt: `ADVISORY PACKAGE VERSION affected|not-affected` for candidate
//   versions around every event: affected when some range has an introduced event the version
//   is at or above ("0": always) and no fixed event at or below it before the next introduced,
//   every comparison made by ComparableVersion. The advisories are read with a small line
//   reader (the JDK has no JSON parser): it relies on the fixtures' one-key-per-line layout.
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import java.util.regex.*;
import org.apache.maven.artifact.versioning.ComparableVersion;

public class MavenOracle {
    // Qualifiers Maven orders specially (alpha < beta < milestone < rc < snapshot < "" = ga =
    // final = release < sp), separators, and numbers of any size.
    static final String[] VERSIONS = {
        "1", "1.0", "1.0.0", "1-alpha", "1-alpha-1", "1-a1", "1-beta", "1-b2", "1-milestone-1",
        "1-m1", "1-rc", "1-cr", "1-rc1", "1-SNAPSHOT", "1-ga", "1-final", "1-release", "1-sp",
        "1-sp1", "1.1", "1.1-foo", "1-foo", "1.0.1", "1.0-1", "1.0.0.0.1", "2.0.0.Final",
        "2.0.0.RELEASE", "2.0.0.CR1", "2.0.0.M1", "5.2.19.RELEASE", "5.2.20", "5.3.18",
        "2.12.2", "2.12.10", "2.4", "2.4.1", "2.15.0-rc1", "2.15.0", "1.10.0", "1.9",
        "20230227", "99999999999999999999", "1.0-SNAPSHOT", "1.0.0-jre", "31.1-jre", "31.1-android",
    };

    record Entry(String id, String pkg, List<List<String[]>> ranges) {}

    static List<Entry> entries(Path ghsa) throws IOException {
        List<Entry> out = new ArrayList<>();
        Pattern kv = Pattern.compile("\"(\\w+)\": \"([^\"]*)\"");
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(ghsa, "*.json")) { ds.forEach(files::add); }
        Collections.sort(files);
        for (Path f : files) {
            String id = null, eco = null, pkg = null;
            List<List<String[]>> ranges = null;
            List<String[]> events = null;
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                Matcher m = kv.matcher(line.trim());
                if (!m.lookingAt()) continue;
                String k = m.group(1), v = m.group(2);
                switch (k) {
                    case "id" -> { if (id == null) id = v; }
                    case "ecosystem" -> {
                        if (eco != null && eco.equals("Maven") && ranges != null) out.add(new Entry(id, pkg, ranges));
                        eco = v; pkg = null; ranges = new ArrayList<>();
                    }
                    case "name" -> pkg = v;
                    case "type" -> { if (ranges != null && (v.equals("ECOSYSTEM") || v.equals("SEMVER"))) { events = new ArrayList<>(); ranges.add(events); } }
                    case "introduced", "fixed", "last_affected", "limit" -> events.add(new String[] {k, v});
                    default -> {}
                }
            }
            if (eco != null && eco.equals("Maven") && ranges != null) out.add(new Entry(id, pkg, ranges));
        }
        // One entry per advisory and package: an advisory affects a version when any of its
        // affected[] entries for that package does.
        Map<String, Entry> merged = new LinkedHashMap<>();
        for (Entry e : out) {
            merged.merge(e.id() + " " + e.pkg(), e, (x, y) -> {
                List<List<String[]>> r = new ArrayList<>(x.ranges());
                r.addAll(y.ranges());
                return new Entry(x.id(), x.pkg(), r);
            });
        }
        return new ArrayList<>(merged.values());
    }

    static int cmp(String a, String b) { return new ComparableVersion(a).compareTo(new ComparableVersion(b)); }

    static boolean affected(String v, List<List<String[]>> ranges) {
        for (List<String[]> events : ranges) {
            for (String[] e : events) {
                if (!e[0].equals("introduced")) continue;
                boolean passed = e[1].equals("0") || cmp(e[1], v) <= 0;
                if (!passed) continue;
                boolean closed = false;
                for (String[] c : events) {
                    boolean closes = (c[0].equals("fixed") && cmp(c[1], v) <= 0)
                        || (c[0].equals("last_affected") && cmp(c[1], v) < 0);
                    // Only a closing event at or above this introduced one closes it.
                    if (closes && (e[1].equals("0") || cmp(e[1], c[1]) <= 0)) closed = true;
                }
                if (!closed) return true;
            }
        }
        return false;
    }

    static Set<String> candidates(Entry e) {
        Set<String> out = new LinkedHashSet<>(List.of("0.1"));
        for (List<String[]> events : e.ranges()) {
            for (String[] ev : events) {
                String v = ev[1];
                if (v.equals("0")) continue;
                out.add(v);
                out.add(v + "-SNAPSHOT");
                out.add(v + "-rc1");
                out.add(v + ".1");
                Matcher m = Pattern.compile("^(.*?)(\\d+)([^\\d]*)$").matcher(v);
                if (m.matches()) {
                    long n = Long.parseLong(m.group(2));
                    out.add(m.group(1) + (n + 1) + m.group(3));
                    if (n > 0) out.add(m.group(1) + (n - 1) + m.group(3));
                }
            }
        }
        return out;
    }

    public static void main(String[] args) throws IOException {
        Path fixtures = Paths.get(args.length > 0 ? args[0] : "engine/tests/fixtures");
        Path ghsa = fixtures.resolve("osv-ghsa");
        String header = "# generated by engine/tests/oracle/MavenOracle.java with Maven's ComparableVersion ("
            + ComparableVersion.class.getPackage().getImplementationVersion() + "); do not edit\n";
        List<Entry> entries = entries(ghsa);
        Set<String> all = new LinkedHashSet<>(List.of(VERSIONS));
        for (Entry e : entries) for (List<String[]> r : e.ranges()) for (String[] ev : r) if (!ev[1].equals("0")) all.add(ev[1]);
        List<String> list = new ArrayList<>(all);
        StringBuilder lines = new StringBuilder("# Maven version ordering: ComparableVersion.compareTo\n" + header);
        int n = 0;
        for (int i = 0; i < list.size(); i++) {
            for (int j = i + 1; j < list.size(); j++) {
                int c = cmp(list.get(i), list.get(j));
                lines.append(list.get(i)).append(c < 0 ? " < " : c > 0 ? " > " : " = ").append(list.get(j)).append('\n');
                n++;
            }
        }
        Files.writeString(fixtures.resolve("version-vectors/maven-comparableversion-generated.txt"), lines);
        StringBuilder expect = new StringBuilder("# Maven range evaluation: OSV events compared with ComparableVersion\n" + header);
        int m = 0;
        for (Entry e : entries) {
            for (String v : candidates(e)) {
                expect.append(e.id()).append(' ').append(e.pkg()).append(' ').append(v).append(' ')
                    .append(affected(v, e.ranges()) ? "affected" : "not-affected").append('\n');
                m++;
            }
        }
        Files.writeString(ghsa.resolve("expected-maven.txt"), expect);
        System.out.println(n + " ordering lines, " + m + " range verdicts");
    }
}
