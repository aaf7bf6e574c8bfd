{#- The contract's timestamp: 'YYYY-MM-DD HH:MM:SS', optional '+00:00' or 'Z'. -#}
{% macro utc_timestamp_pattern() -%}
    {{- return('^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\\+00:00|Z)?$') -}}
{%- endmacro %}
