{#- The contract's timestamp: 'YYYY-MM-DD HH:MM:SS' (hours 00-23, no leap second), optional
    '+00:00' or 'Z'. The plus sign is written [+]: Spark drops a backslash in a SQL string. -#}
{% macro utc_timestamp_pattern() -%}
    {{- return('^[0-9]{4}-[0-9]{2}-[0-9]{2} ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([+]00:00|Z)?$') -}}
{%- endmacro %}
