{#- The row-level checks the raw data contract declares for an entity (raw_contract), as
    [condition, reason, column] lists for first_failing_check, in this order: required values,
    enum values, values that do not parse as their type, negative money. The conditions read
    the trimmed text columns and their parsed values (<column>_parsed). -#}
{% macro quarantine_checks(entity) -%}
    {%- set contract = personas.raw_contract(entity) -%}
    {%- set reasons = personas.unparseable_reasons() -%}
    {%- set checks = [] -%}
    {%- for column in contract['required'] -%}
        {%- do checks.append([column ~ ' is null', 'missing_required_value', column]) -%}
    {%- endfor -%}
    {%- for column, values in contract['enums'].items() -%}
        {%- do checks.append([column ~ " not in ('" ~ values | join("', '") ~ "')", 'unknown_enum_value', column]) -%}
    {%- endfor -%}
    {%- for column, spec in contract['typed'].items() -%}
        {%- do checks.append([column ~ ' is not null and ' ~ spec['parsed'] ~ ' is null', reasons[spec['type']], column]) -%}
    {%- endfor -%}
    {%- for column, spec in contract['typed'].items() if spec['type'] == 'money' -%}
        {%- do checks.append([spec['parsed'] ~ ' < 0', 'negative_money', column]) -%}
    {%- endfor -%}
    {{ return(checks) }}
{%- endmacro %}
