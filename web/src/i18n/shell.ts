/** Strings of the app's frame: the skip link and the header's menu. */
export const ru = { skipToContent: 'Перейти к содержимому', menu: 'Меню', mainNav: 'Разделы' };
export const en: Record<keyof typeof ru, string> = { skipToContent: 'Skip to the content', menu: 'Menu', mainNav: 'Sections' };
