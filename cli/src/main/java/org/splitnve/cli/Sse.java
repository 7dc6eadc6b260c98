package org.splitnve.cli;

/** One server-sent event (the {@code text/event-stream} format): its name and its data. */
public record Sse(String event, String data) {

    /** Assembles events from the stream's lines: {@code event:} and {@code data:} fields, a blank line ends one. */
    public static final class Reader {
        private String event;
        private StringBuilder data;

        /** Feeds one line; the event it completes, or null. Comments ({@code :...}) and unknown fields are skipped. */
        public Sse line(String line) {
            if (line.isEmpty()) {
                Sse e = data == null ? null : new Sse(event == null ? "message" : event, data.toString());
                event = null;
                data = null;
                return e;
            }
            if (line.startsWith(":")) {
                return null;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "event" -> event = value;
                case "data" -> {
                    if (data == null) {
                        data = new StringBuilder(value);
                    } else {
                        data.append('\n').append(value);
                    }
                }
                default -> {
                    // id, retry: not used here
                }
            }
            return null;
        }
    }
}
