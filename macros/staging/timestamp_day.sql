{#- The UTC day ('YYYY-MM-DD', text) written at the start of a raw timestamp shaped like the
    contract's ('YYYY-MM-DD HH:MM:SS...'), or null when the text is missing or not so shaped
    (it cannot be placed in time). The same shape test as the incremental batch's. -#}
{% macro timestamp_day(timestamp_text) -%}
    {{ return(adapter.dispatch('timestamp_day', 'personas')(timestamp_text)) }}
{%- endmacro %}

{% macro default__timestamp_day(timestamp_text) -%}
case when {{ timestamp_text }} like '____-__-__ __:__:__%' then substring({{ timestamp_text }}, 1, 10) end
{%- endmacro %}
