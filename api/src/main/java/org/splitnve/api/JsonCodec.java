package org.splitnve.api;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.exc.InvalidNullException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.PropertyBindingException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

/**
 * JSON (RFC 8259) for the HTTP API, the CLI, the tNVE's state directory and the libvirt hook, on Jackson: one
 * configured mapper and the translation of its exceptions into {@link Invalid}, which names the member
 * ({@code tsis[0].vn}) and says what was expected. Reading is strict: duplicate member names, nesting deeper
 * than {@link #MAX_DEPTH}, numbers longer than {@link #MAX_NUMBER_LENGTH} characters and text after the value
 * are refused; a member a record does not declare is refused (records that must tolerate newer writers say so
 * with {@code @JsonIgnoreProperties(ignoreUnknown = true)}); a string, a number and a boolean are never coerced
 * into one another ({@code "vn": "5000"} and {@code "start": 1} are refused, not read as 5000 and true).
 * Writing: records' members in declaration order, nulls written.
 */
public final class JsonCodec {
    /** Nesting deeper than this is refused (a hostile body cannot exhaust the stack). */
    public static final int MAX_DEPTH = 64;
    /** Characters of one number (a VN ID has 10 digits; nothing the API reads needs more than 20). */
    public static final int MAX_NUMBER_LENGTH = 120;

    private static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
                            .maxNumberLength(MAX_NUMBER_LENGTH).build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
                    DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS, MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private JsonCodec() {
    }

    /** The configured mapper (for trees: {@code mapper().createObjectNode()}). */
    public static JsonMapper mapper() {
        return MAPPER;
    }

    /**
     * Text that is not JSON ({@link #syntax()}: where and why), or JSON that is not what was asked for: the
     * member it is about ({@link #field()}, empty for the whole value) and what was expected, in the message.
     */
    public static final class Invalid extends Exception {
        private final String field;
        private final boolean syntax;

        Invalid(String message, String field, boolean syntax) {
            super(message, null, false, false);
            this.field = field;
            this.syntax = syntax;
        }

        /** The member, {@code tsis[0].vn}; empty for the whole text. */
        public String field() {
            return field;
        }

        /** True when the text is not JSON at all. */
        public boolean syntax() {
            return syntax;
        }
    }

    /** The JSON value of a text; {@link Invalid} (syntax) when it is not exactly one JSON value. */
    public static JsonNode tree(String text) throws Invalid {
        try {
            JsonNode v = MAPPER.readTree(text);
            if (v == null || v.isMissingNode()) {
                throw new Invalid("expected a JSON value, found the end of the text at offset " + text.length(), "", true);
            }
            checkWritable(v);
            return v;
        } catch (JacksonException e) {
            throw new Invalid(syntaxMessage(e), "", true);
        } catch (NumberFormatException e) {
            // a number within MAX_NUMBER_LENGTH whose exponent BigDecimal cannot hold (Jackson's BigDecimalParser
            // throws this, not a JacksonException: REL-5, the fuzzer's finding)
            throw new Invalid("a number beyond what a JSON number here can be (its exponent is too large)", "", true);
        }
    }

    /**
     * REL-5: every number of the tree is written back in at most {@link #MAX_NUMBER_LENGTH} characters, so what this
     * codec writes it reads again. A decimal is written normalised ({@code 5.055E+151}): an unnormalised one that
     * fitted ({@code 5055...279e35}, 120 characters) could take three more (the fuzzer's finding). Nesting is
     * bounded by {@link #MAX_DEPTH}, so the walk is too.
     */
    private static void checkWritable(JsonNode v) throws Invalid {
        java.util.ArrayDeque<JsonNode> todo = new java.util.ArrayDeque<>();
        todo.push(v);
        while (!todo.isEmpty()) {
            JsonNode n = todo.pop();
            if (n.isBigDecimal() && n.decimalValue().toString().length() > MAX_NUMBER_LENGTH) {
                throw new Invalid("a number of more than " + MAX_NUMBER_LENGTH + " characters once normalised ("
                        + n.decimalValue().toString().length() + ")", "", true);
            }
            if (n.isContainer()) {
                for (JsonNode c : n.values()) {
                    todo.push(c);
                }
            }
        }
    }

    /** A value read as {@code type}: {@link Invalid} naming the member that does not fit. */
    public static <T> T bind(JsonNode value, Class<T> type) throws Invalid {
        try {
            T t = MAPPER.treeToValue(value, type);
            if (t == null) {
                throw new Invalid("expected " + expected(type) + ", found null", "", false);
            }
            return t;
        } catch (JacksonException e) {
            String field = path(e);
            throw new Invalid((field.isEmpty() ? "" : field + ": ") + bindMessage(e), field, false);
        }
    }

    /** {@link #tree} then {@link #bind}: the text's syntax is checked first, then its members. */
    public static <T> T read(String text, Class<T> type) throws Invalid {
        return bind(tree(text), type);
    }

    /** The JSON text of a record, list, map, tree, string, number, boolean or null (compact, one line). */
    public static String write(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    /** A string as a JSON string literal, quotes and escapes included. */
    public static String quote(String s) {
        return MAPPER.writeValueAsString(s);
    }

    // ------------------------------------------------------------------ messages

    private static String syntaxMessage(JacksonException e) {
        // Jackson's own words, without its notes to programmers (where a source would be, which setting bounds it)
        String m = clip(String.valueOf(e.getOriginalMessage())
                .replaceAll(" \\(start marker at \\[Source: [^\\]]*\\]\\)", "")
                .replaceAll(", from `[^`]*`", ""));
        TokenStreamLocation at = e.getLocation();
        if (at != null && at.getCharOffset() >= 0) {
            m += " at offset " + at.getCharOffset();
        }
        return m;
    }

    /** {@code tsis[0].vn}: the path Jackson records while it binds. */
    static String path(JacksonException e) {
        StringBuilder sb = new StringBuilder();
        for (JacksonException.Reference r : e.getPath()) {
            if (r.getPropertyName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(r.getPropertyName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String bindMessage(JacksonException e) {
        return switch (e) {
            case PropertyBindingException p -> "unknown member (known: " + known(p.getReferringClass(), p.getKnownPropertyIds()) + ")";
            case InvalidNullException n -> "null is not allowed here";
            case MismatchedInputException m when m.getTargetType() != null -> "expected " + expected(m.getTargetType())
                    + found(m);
            case InputCoercionException c when c.getTargetType() != null -> "expected " + expected(c.getTargetType())
                    + " (out of range)";
            case DatabindException d -> clip(String.valueOf(d.getOriginalMessage()));
            default -> clip(String.valueOf(e.getOriginalMessage()));
        };
    }

    private static String found(MismatchedInputException m) {
        if (m.getCurrentToken() == null) {
            return "";
        }
        return switch (m.getCurrentToken()) {
            case VALUE_STRING -> ", found a string";
            case VALUE_NUMBER_INT -> ", found an integer";
            case VALUE_NUMBER_FLOAT -> ", found a number with a fraction or exponent";
            case VALUE_TRUE, VALUE_FALSE -> ", found true or false";
            case VALUE_NULL -> ", found null";
            case START_ARRAY -> ", found a list";
            case START_OBJECT -> ", found an object";
            default -> "";
        };
    }

    /** The members a record declares, in its order (Jackson's own list when it is not a record). */
    private static String known(Class<?> type, Collection<Object> ids) {
        if (type != null && type.isRecord()) {
            return Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName)
                    .collect(Collectors.joining(", "));
        }
        return ids == null ? "" : ids.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
    }

    /** What a Java type is in JSON, for a message. */
    static String expected(Class<?> t) {
        if (t == String.class || t.isEnum() || t == java.util.UUID.class) {
            return "a string";
        }
        if (t == Boolean.class || t == boolean.class) {
            return "true or false";
        }
        if (t == Long.class || t == long.class || t == Integer.class || t == int.class || t == Short.class
                || t == short.class) {
            return "an integer";
        }
        if (Number.class.isAssignableFrom(t) || t == double.class || t == float.class) {
            return "a number";
        }
        if (Collection.class.isAssignableFrom(t) || t.isArray()) {
            return "a list";
        }
        if (t.isRecord()) {
            return "an object {" + Arrays.stream(t.getRecordComponents()).map(c -> "\"" + c.getName() + "\"")
                    .collect(Collectors.joining(", ")) + "}";
        }
        if (Map.class.isAssignableFrom(t) || JsonNode.class.isAssignableFrom(t)) {
            return "an object {...}";
        }
        return "a " + t.getSimpleName();
    }

    static String clip(String s) {
        String one = s.replace('\n', ' ');
        return one.length() <= 200 ? one : one.substring(0, 200) + "...";
    }

    /** Convenience for tests and clients: the items of a JSON list (none for anything else). */
    public static List<JsonNode> items(JsonNode list) {
        return list != null && list.isArray() ? List.copyOf(list.values()) : List.of();
    }
}
