package org.splitnve.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/** A table for people: a header and rows, columns padded to their widest cell, two spaces apart. */
public final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... header) {
        this.header = List.of(header);
    }

    public Table row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException(cells.length + " cells for " + header.size() + " columns");
        }
        List<String> r = new ArrayList<>(cells.length);
        for (Object c : cells) {
            r.add(c instanceof JsonNode j ? text(j) : c == null ? "-" : c.toString());
        }
        rows.add(r);
        return this;
    }

    public int size() {
        return rows.size();
    }

    public void print(PrintStream out) {
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = header.get(i).length();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        line(out, header, width);
        for (List<String> r : rows) {
            line(out, r, width);
        }
    }

    private static void line(PrintStream out, List<String> cells, int[] width) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            sb.append(c);
            if (i < cells.size() - 1) {
                sb.append(" ".repeat(width[i] - c.length() + 2));
            }
        }
        out.println(sb.toString().stripTrailing());
    }

    /**
     * A JSON value as a cell: strings as they are, numbers plain, booleans yes/no, null as "-", arrays
     * comma-separated (empty: "-"), objects as {@code key=value} pairs.
     */
    public static String text(JsonNode j) {
        if (j.isString()) {
            return j.stringValue().isEmpty() ? "-" : j.stringValue();
        }
        if (j.isNumber()) {
            java.math.BigDecimal d = j.decimalValue().stripTrailingZeros();
            return Math.abs(d.scale()) <= 40 ? d.toPlainString() : d.toString(); // 1e999999999 stays short
        }
        if (j.isBoolean()) {
            return j.booleanValue() ? "yes" : "no";
        }
        if (j.isArray()) {
            return j.isEmpty() ? "-" : j.valueStream().map(Table::text).collect(Collectors.joining(","));
        }
        if (j.isObject()) {
            return j.propertyStream().map(e -> e.getKey() + "=" + text(e.getValue())).collect(Collectors.joining(" "));
        }
        return "-"; // null, or absent
    }

    /** A JSON string's value; null for anything else (absent included). */
    public static String string(JsonNode j) {
        return j != null && j.isString() ? j.stringValue() : null;
    }

    /** The items of a JSON list; none for anything else (absent included). */
    public static List<JsonNode> items(JsonNode j) {
        return j != null && j.isArray() ? List.copyOf(j.values()) : List.of();
    }
}
