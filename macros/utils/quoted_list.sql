{#- A var holding a list of codes (a YAML list, or a comma-separated string from --vars) as
    a SQL list of quoted literals: ['FR', 'BE'] -> 'FR', 'BE'. Quotes are doubled. -#}
{% macro quoted_list(values, upper=false) -%}
    {%- set items = values.split(',') if values is string else values -%}
    {%- set quoted = [] -%}
    {%- for item in items -%}
        {%- set text = item | string | trim -%}
        {%- set text = text | upper if upper else text -%}
        {%- do quoted.append("'" ~ text | replace("'", "''") ~ "'") -%}
    {%- endfor -%}
    {%- if quoted | length == 0 -%}
        {{ exceptions.raise_compiler_error("The var given to quoted_list is empty: give at least one value.") }}
    {%- endif -%}
    {{- quoted | join(', ') -}}
{%- endmacro %}
