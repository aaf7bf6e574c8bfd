{#- A contract timestamp ('YYYY-MM-DD HH:MM:SS', optional '+00:00' or 'Z') as a UTC timestamp;
    null when the text is not one (the row is then quarantined as unparseable_timestamp). The
    pattern checks the time of day itself (00:00:00-23:59:59), so that 24:00:00 or a leap
    second is unparseable on every engine (DuckDB and PostgreSQL would roll them over). `[+]`,
    not a backslash: Spark's string literals would eat the backslash. -#}
{% macro parse_utc_timestamp(column) -%}
    {{ return(adapter.dispatch('parse_utc_timestamp', 'personas')(column)) }}
{%- endmacro %}

{% macro default__parse_utc_timestamp(column) -%}
    case
        when {{ personas.regex_matches(column, personas.utc_timestamp_pattern()) }}
            then {{ personas.try_cast('substring(' ~ column ~ ', 1, 19)', api.Column.translate_type('timestamp')) }}
    end
{%- endmacro %}
